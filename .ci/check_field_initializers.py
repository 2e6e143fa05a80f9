#!/usr/bin/env python3
"""Lists data members of the public structs (include/wharf/*.h) that have no
default member initializer. g++ 12 warns (-Wmissing-field-initializers, in
-Wextra) wherever a designated initializer skips such a member, i.e. in the
users' code: `{.queue_url = url}` must compile clean, so every member of a
public struct gets one (`std::string queue_url{};`, `int n = 1;`)."""
import pathlib
import re
import sys

# A declaration ending on this line: "<type> <name>;" or "<name>;" when the
# type is on the line before (clang-format splits long ones).
DECLARATION = re.compile(r"^\s+(?:[\w:<>,\s*&]+[\w>*&]\s+)?(\w+);\s*(//.*)?$")
NOT_A_MEMBER = re.compile(r"^\s*(return|using|typedef|friend|static|break|continue)\b")

missing = []
for path in sorted(pathlib.Path("include/wharf").glob("*.h")):
    scopes = []  # one entry per open brace: is it a struct's body?
    for number, line in enumerate(path.read_text().splitlines(), 1):
        code = line.split("//")[0]
        if (scopes and scopes[-1] and DECLARATION.match(line)
                and not NOT_A_MEMBER.match(line) and "(" not in code):
            missing.append(f"{path}:{number}: {line.strip()}")
        for i, char in enumerate(code):
            if char == "{":
                scopes.append(re.match(r"^\s*struct\s+\w+[^(]*$", code[:i]) is not None)
            elif char == "}" and scopes:
                scopes.pop()

for entry in missing:
    print(entry)
if missing:
    print("error: public struct members without a default member initializer (see "
          ".ci/check_field_initializers.py)", file=sys.stderr)
sys.exit(1 if missing else 0)
