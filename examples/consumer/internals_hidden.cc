// Must not compile (see CMakeLists.txt): broker/ is wharf's inside.
#include "broker/base/mutex.h"

int main() { return 0; }
