#!/usr/bin/env python3
"""Writes the seed corpus of wire_broker_fuzzer (broker_fuzzer.cc) into
broker_fuzz_corpus/: request sequences that reach deep states (redrive, FIFO,
fan-out with filter policies, input transformers, archives and replays,
alarms on metric math). A record's first byte indexes kOperations, so run
this again whenever that list changes."""
import glob, json, os, re, urllib.parse

here = os.path.dirname(os.path.abspath(__file__))
src = open(os.path.join(here, 'broker_fuzzer.cc')).read()
ops=re.findall(r'\{Api::k(\w+), "(\w+)"\}', src)
idx={}
for i,(api,name) in enumerate(ops):
    idx[(api,name)]=i
def rec(api,name,body):
    if isinstance(body,dict): body=json.dumps(body,separators=(',',':'))
    if isinstance(body,list): body=urllib.parse.urlencode(body)
    selector=idx[(api,name)]
    if selector==0x1e: selector+=len(ops)  # The separator itself picks nothing.
    return bytes([selector])+body.encode()
def adv(shift): return bytes([idx[('Clock','Advance')], shift])
Q='http://127.0.0.1:4566/000000000000/'
A='arn:aws:sqs:us-east-1:000000000000:'
seeds={}
seeds['sqs_redrive']=[
 rec('Sqs','CreateQueue',{"QueueName":"dlq"}),
 rec('Sqs','CreateQueue',{"QueueName":"q","Attributes":{"VisibilityTimeout":"5","RedrivePolicy":json.dumps({"deadLetterTargetArn":A+"dlq","maxReceiveCount":"2"})}}),
 rec('Sqs','SendMessage',{"QueueUrl":Q+"q","MessageBody":"hello","DelaySeconds":1,"MessageAttributes":{"a":{"DataType":"String","StringValue":"v"},"b":{"DataType":"Binary","BinaryValue":"AAE="}}}),
 adv(10),
 rec('Sqs','ReceiveMessage',{"QueueUrl":Q+"q","MaxNumberOfMessages":10,"AttributeNames":["All"],"MessageAttributeNames":["All"],"WaitTimeSeconds":2}),
 adv(13),
 rec('Sqs','ReceiveMessage',{"QueueUrl":Q+"q","VisibilityTimeout":0}),
 rec('Sqs','ReceiveMessage',{"QueueUrl":Q+"q"}),
 rec('Sqs','StartMessageMoveTask',{"SourceArn":A+"dlq","MaxNumberOfMessagesPerSecond":10}),
 adv(14),
 rec('Sqs','ListMessageMoveTasks',{"SourceArn":A+"dlq"}),
 rec('Sqs','GetQueueAttributes',{"QueueUrl":Q+"q","AttributeNames":["All"]}),
]
seeds['sqs_fifo']=[
 rec('Sqs','CreateQueue',{"QueueName":"f.fifo","Attributes":{"FifoQueue":"true","ContentBasedDeduplication":"true","DeduplicationScope":"messageGroup","FifoThroughputLimit":"perMessageGroupId"}}),
 rec('Sqs','SendMessageBatch',{"QueueUrl":Q+"f.fifo","Entries":[{"Id":"1","MessageBody":"a","MessageGroupId":"g"},{"Id":"2","MessageBody":"b","MessageGroupId":"h","MessageDeduplicationId":"d"}]}),
 rec('Sqs','ReceiveMessage',{"QueueUrl":Q+"f.fifo","MaxNumberOfMessages":10,"ReceiveRequestAttemptId":"x","MessageSystemAttributeNames":["All"]}),
 rec('Sqs','ChangeMessageVisibilityBatch',{"QueueUrl":Q+"f.fifo","Entries":[{"Id":"1","ReceiptHandle":"rh","VisibilityTimeout":3}]}),
 rec('Sqs','DeleteMessageBatch',{"QueueUrl":Q+"f.fifo","Entries":[{"Id":"1","ReceiptHandle":"rh"}]}),
 rec('Sqs','SetQueueAttributes',{"QueueUrl":Q+"f.fifo","Attributes":{"Policy":json.dumps({"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":"*","Action":"sqs:SendMessage","Resource":A+"f.fifo"}]})}}),
 rec('Sqs','TagQueue',{"QueueUrl":Q+"f.fifo","Tags":{"k":"v"}}),
 rec('Sqs','PurgeQueue',{"QueueUrl":Q+"f.fifo"}),
]
seeds['sqs_query']=[
 rec('SqsQuery','CreateQueue',[("QueueName","q"),("Attribute.1.Name","ReceiveMessageWaitTimeSeconds"),("Attribute.1.Value","1")]),
 rec('SqsQuery','SendMessage',[("QueueUrl",Q+"q"),("MessageBody","a\r\n<&>\"'\t\u00e9\U0001F600"),("MessageAttribute.1.Name","x"),("MessageAttribute.1.Value.DataType","String"),("MessageAttribute.1.Value.StringValue","<&>"),("MessageAttribute.2.Name","b"),("MessageAttribute.2.Value.DataType","Binary.x"),("MessageAttribute.2.Value.BinaryValue","AP8=")]),
 rec('SqsQuery','SendMessageBatch',[("QueueUrl",Q+"q"),("SendMessageBatchRequestEntry.1.Id","1"),("SendMessageBatchRequestEntry.1.MessageBody","b"),("SendMessageBatchRequestEntry.2.Id","1"),("SendMessageBatchRequestEntry.2.MessageBody","c")]),
 rec('SqsQuery','ReceiveMessage',[("QueueUrl",Q+"q"),("MaxNumberOfMessages","10"),("AttributeName.1","All"),("MessageAttributeName.1","All")]),
 rec('SqsQuery','DeleteMessageBatch',[("QueueUrl",Q+"q"),("DeleteMessageBatchRequestEntry.1.Id","1"),("DeleteMessageBatchRequestEntry.1.ReceiptHandle","x")]),
 rec('SqsQuery','GetQueueAttributes',[("QueueUrl",Q+"q"),("AttributeName.1","All")]),
 rec('SqsQuery','ListQueues',[("QueueNamePrefix","q"),("MaxResults","1")]),
]
seeds['sns_fanout']=[
 rec('Sqs','CreateQueue',{"QueueName":"q"}),
 rec('Sns','CreateTopic',[("Name","t")]),
 rec('Sns','Subscribe',[("TopicArn","arn:aws:sns:us-east-1:000000000000:t"),("Protocol","sqs"),("Endpoint",A+"q"),
   ("Attributes.entry.1.key","FilterPolicy"),("Attributes.entry.1.value",json.dumps({"color":["red",{"prefix":"bl"}],"size":[{"numeric":[">",1,"<=",5]}]})),
   ("Attributes.entry.2.key","RawMessageDelivery"),("Attributes.entry.2.value","true")]),
 rec('Sns','Publish',[("TopicArn","arn:aws:sns:us-east-1:000000000000:t"),("Message","hi"),("Subject","s"),
   ("MessageAttributes.entry.1.Name","color"),("MessageAttributes.entry.1.Value.DataType","String"),("MessageAttributes.entry.1.Value.StringValue","red"),
   ("MessageAttributes.entry.2.Name","size"),("MessageAttributes.entry.2.Value.DataType","Number"),("MessageAttributes.entry.2.Value.StringValue","3")]),
 rec('Sqs','ReceiveMessage',{"QueueUrl":Q+"q","MessageAttributeNames":["All"]}),
 rec('Sns','ListSubscriptionsByTopic',[("TopicArn","arn:aws:sns:us-east-1:000000000000:t")]),
]
seeds['sns_fifo_body_policy']=[
 rec('Sqs','CreateQueue',{"QueueName":"q.fifo","Attributes":{"FifoQueue":"true"}}),
 rec('Sns','CreateTopic',[("Name","t.fifo"),("Attributes.entry.1.key","FifoTopic"),("Attributes.entry.1.value","true"),("Attributes.entry.2.key","ContentBasedDeduplication"),("Attributes.entry.2.value","true")]),
 rec('Sns','Subscribe',[("TopicArn","arn:aws:sns:us-east-1:000000000000:t.fifo"),("Protocol","sqs"),("Endpoint",A+"q.fifo"),
   ("Attributes.entry.1.key","FilterPolicyScope"),("Attributes.entry.1.value","MessageBody"),
   ("Attributes.entry.2.key","FilterPolicy"),("Attributes.entry.2.value",json.dumps({"a":{"b":[{"anything-but":["x"]}]}}))]),
 rec('Sns','PublishBatch',[("TopicArn","arn:aws:sns:us-east-1:000000000000:t.fifo"),
   ("PublishBatchRequestEntries.member.1.Id","1"),("PublishBatchRequestEntries.member.1.Message",json.dumps({"a":{"b":"y"}})),("PublishBatchRequestEntries.member.1.MessageGroupId","g")]),
 rec('Sqs','ReceiveMessage',{"QueueUrl":Q+"q.fifo"}),
]
seeds['events_transform']=[
 rec('Sqs','CreateQueue',{"QueueName":"q"}),
 rec('Events','PutRule',{"Name":"r","EventPattern":json.dumps({"source":["s"],"detail":{"n":[{"numeric":[">",0]}],"k":[{"wildcard":"a*b"}],"c":[{"anything-but":{"prefix":"x"}}]}})}),
 rec('Events','PutTargets',{"Rule":"r","Targets":[{"Id":"t","Arn":A+"q","InputTransformer":{"InputPathsMap":{"n":"$.detail.n","src":"$.source"},"InputTemplate":"{\"v\": <n>, \"s\": \"<src>\"}"}},
   {"Id":"u","Arn":A+"q","InputPath":"$.detail","RetryPolicy":{"MaximumRetryAttempts":1,"MaximumEventAgeInSeconds":60}}]}),
 rec('Events','PutEvents',{"Entries":[{"Source":"s","DetailType":"d","Detail":json.dumps({"n":5,"k":"axb","c":"y"})}]}),
 adv(5),
 rec('Sqs','ReceiveMessage',{"QueueUrl":Q+"q","MaxNumberOfMessages":10}),
 rec('Events','TestEventPattern',{"EventPattern":json.dumps({"detail":{"x":[{"exists":False}]}}),"Event":json.dumps({"id":"1","account":"000000000000","source":"s","time":"2026-01-01T00:00:00Z","region":"us-east-1","resources":[],"detail-type":"d","detail":{}})}),
]
seeds['events_archive_schedule']=[
 rec('Sqs','CreateQueue',{"QueueName":"q"}),
 rec('Events','CreateEventBus',{"Name":"b"}),
 rec('Events','CreateArchive',{"ArchiveName":"a","EventSourceArn":"arn:aws:events:us-east-1:000000000000:event-bus/b","EventPattern":json.dumps({"source":["s"]})}),
 rec('Events','PutRule',{"Name":"tick","ScheduleExpression":"rate(1 minute)"}),
 rec('Events','PutTargets',{"Rule":"tick","Targets":[{"Id":"t","Arn":A+"q","Input":"{\"tick\":1}"}]}),
 rec('Events','PutRule',{"Name":"r","EventBusName":"b","EventPattern":json.dumps({"source":["s"]})}),
 rec('Events','PutTargets',{"Rule":"r","EventBusName":"b","Targets":[{"Id":"t","Arn":A+"q"}]}),
 rec('Events','PutEvents',{"Entries":[{"Source":"s","DetailType":"d","Detail":"{}","EventBusName":"b"}]}),
 adv(17),
 rec('Events','StartReplay',{"ReplayName":"rp","EventSourceArn":"arn:aws:events:us-east-1:000000000000:archive/a","EventStartTime":0,"EventEndTime":4102444800,"Destination":{"Arn":"arn:aws:events:us-east-1:000000000000:event-bus/b"}}),
 adv(17),
 rec('Events','DescribeReplay',{"ReplayName":"rp"}),
 rec('Sqs','ReceiveMessage',{"QueueUrl":Q+"q","MaxNumberOfMessages":10}),
]
seeds['cloudwatch_alarm']=[
 rec('Sqs','CreateQueue',{"QueueName":"q"}),
 rec('CloudWatch','PutMetricData',{"Namespace":"App","MetricData":[{"MetricName":"m","Dimensions":[{"Name":"d","Value":"v"}],"Value":3,"Unit":"Count","StorageResolution":1},{"MetricName":"m","Values":[1,2],"Counts":[1,3]}]}),
 rec('CloudWatch','PutMetricAlarm',{"AlarmName":"a","Namespace":"AWS/SQS","MetricName":"ApproximateNumberOfMessagesVisible","Dimensions":[{"Name":"QueueName","Value":"q"}],"Statistic":"Maximum","Period":60,"EvaluationPeriods":2,"DatapointsToAlarm":1,"Threshold":0,"ComparisonOperator":"GreaterThanThreshold","TreatMissingData":"breaching"}),
 rec('CloudWatch','PutMetricAlarm',{"AlarmName":"b","Namespace":"App","MetricName":"m","Dimensions":[{"Name":"d","Value":"v"}],"ExtendedStatistic":"p90","Period":10,"EvaluationPeriods":3,"DatapointsToAlarm":2,"Threshold":1,"ComparisonOperator":"LessThanThreshold","TreatMissingData":"ignore","AlarmActions":["arn:aws:sns:us-east-1:000000000000:t"]}),
 rec('Sqs','SendMessage',{"QueueUrl":Q+"q","MessageBody":"x"}),
 adv(18),
 rec('CloudWatch','GetMetricData',{"StartTime":1767225600,"EndTime":1767268800,"MetricDataQueries":[{"Id":"m","MetricStat":{"Metric":{"Namespace":"AWS/SQS","MetricName":"NumberOfMessagesSent","Dimensions":[{"Name":"QueueName","Value":"q"}]},"Period":60,"Stat":"Sum"}}]}),
 rec('CloudWatch','DescribeAlarmHistory',{"AlarmName":"a"}),
 rec('CloudWatch','SetAlarmState',{"AlarmName":"b","StateValue":"ALARM","StateReason":"r"}),
 rec('CloudWatch','PutCompositeAlarm',{"AlarmName":"c","AlarmRule":"ALARM(\"b\") OR (OK(a) AND NOT INSUFFICIENT_DATA(\"arn:aws:cloudwatch:us-east-1:000000000000:alarm:a\"))","AlarmActions":["arn:aws:sns:us-east-1:000000000000:t"]}),
 rec('CloudWatch','SetAlarmState',{"AlarmName":"b","StateValue":"OK","StateReason":"r"}),
 rec('CloudWatch','GetMetricStatistics',{"Namespace":"App","MetricName":"m","StartTime":1767225600,"EndTime":1767268800,"Period":60,"ExtendedStatistics":["p50","p99.9"]}),
]
seeds['cloudwatch_query']=[
 rec('CloudWatchQuery','PutMetricData',[("Namespace","App"),("MetricData.member.1.MetricName","m"),("MetricData.member.1.Value","1.5"),("MetricData.member.1.Dimensions.member.1.Name","d"),("MetricData.member.1.Dimensions.member.1.Value","<&>")]),
 rec('CloudWatchQuery','PutMetricAlarm',[("AlarmName","a<&>"),("Namespace","App"),("MetricName","m"),("Statistic","Sum"),("Period","60"),("EvaluationPeriods","1"),("Threshold","1"),("ComparisonOperator","GreaterThanOrEqualToThreshold"),("AlarmDescription","d\r\n")]),
 adv(17),
 rec('CloudWatchQuery','PutCompositeAlarm',[("AlarmName","c"),("AlarmRule","TRUE AND ALARM(\"a<&>\")")]),
 rec('CloudWatchQuery','DescribeAlarms',[("AlarmNamePrefix","a")]),
 rec('CloudWatchQuery','DescribeAlarmHistory',[("AlarmName","a<&>")]),
 rec('CloudWatchQuery','GetMetricData',[("StartTime","2026-01-01T00:00:00Z"),("EndTime","2026-01-01T12:00:00Z"),("MetricDataQueries.member.1.Id","m"),("MetricDataQueries.member.1.MetricStat.Metric.Namespace","App"),("MetricDataQueries.member.1.MetricStat.Metric.MetricName","m"),
   ("MetricDataQueries.member.1.MetricStat.Metric.Dimensions.member.1.Name","d"),("MetricDataQueries.member.1.MetricStat.Metric.Dimensions.member.1.Value","<&>"),
   ("MetricDataQueries.member.1.MetricStat.Period","60"),("MetricDataQueries.member.1.MetricStat.Stat","Sum"),("ScanBy","TimestampAscending")]),
 rec('CloudWatchQuery','GetMetricStatistics',[("Namespace","App"),("MetricName","m"),("StartTime","2026-01-01T00:00:00Z"),("EndTime","2026-01-01T12:00:00Z"),("Period","60"),("ExtendedStatistics.member.1","p99")]),
 rec('CloudWatchQuery','ListMetrics',[("Namespace","App")]),
]
corpus = os.path.join(here, 'broker_fuzz_corpus')
for f in glob.glob(os.path.join(corpus, '*')):
    os.remove(f)
for name, recs in seeds.items():
    with open(os.path.join(corpus, name), 'wb') as out:
        out.write(b'\x1e'.join(recs))
