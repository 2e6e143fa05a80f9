// File: wharf/broker.h  (start here)
//
// wharf::Broker owns one in-process message broker: its services (SQS today;
// SNS and EventBridge as they land) and what they share (the clock, the
// account and region used in URLs and ARNs). It is a composition root: the
// operations live on the services it hands out.
//
//   auto broker = wharf::Broker::Open({}).value();
//   wharf::sqs::Service& sqs = broker->sqs();
//
// Two brokers in one process share nothing.
//
// Thread safety: thread-safe. The services it returns live as long as the
// Broker; destroying the Broker while other threads still call into it is
// undefined.

#ifndef WHARF_BROKER_H_
#define WHARF_BROKER_H_

#include <memory>
#include <string>

#include "absl/status/statusor.h"
#include "wharf/clock.h"
#include "wharf/events.h"
#include "wharf/sns.h"
#include "wharf/sqs.h"

namespace wharf {

struct BrokerOptions {
  // Source of time for every deadline. Null: a SystemClock. Tests pass a
  // ManualClock and move time with Advance().
  std::shared_ptr<Clock> clock{};

  // Used in queue URLs and ARNs: arn:aws:sqs:<region>:<account_id>:<name>.
  std::string region = "us-east-1";
  std::string account_id = "000000000000";

  // Base of queue URLs, without a trailing slash. Empty: the AWS form
  // "https://sqs.<region>.amazonaws.com". An embedded HTTP endpoint sets its
  // own address here so that returned URLs point back at it.
  std::string sqs_url_base{};

  // Reported as the SenderId system attribute of sent messages.
  std::string sender_id = "AIDAIENQZJOLO23YVJ4VO";

  // In-flight messages per standard queue before ReceiveMessage fails with
  // OverLimit (AWS: about 120,000). FIFO queues return no messages instead.
  int max_inflight_messages = 120000;
};

class Broker {
 public:
  // Creates a broker. Fails with InvalidArgument on bad options.
  static absl::StatusOr<std::unique_ptr<Broker>> Open(BrokerOptions options);

  virtual ~Broker() = default;

  virtual sqs::Service& sqs() = 0;
  virtual sns::Service& sns() = 0;
  virtual events::Service& events() = 0;
  virtual Clock& clock() = 0;
  virtual const BrokerOptions& options() const = 0;
};

}  // namespace wharf

#endif  // WHARF_BROKER_H_
