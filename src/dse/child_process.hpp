#pragma once
// One child process of a sweep: fork + exec with stdout and stderr sent to files. The child
// gets its own process group (a terminal's Ctrl-C reaches only the sweep, which stops its
// children itself) and dies with its parent (PR_SET_PDEATHSIG), so a killed sweep leaves no
// orphan still writing into a point's directory.

#include <sys/types.h>

#include <optional>
#include <string>
#include <vector>

namespace qarch::dse {

struct ChildExit {
  bool signaled = false;
  int code = 0;    // exit code when !signaled
  int signal = 0;  // the signal when signaled

  std::string describe() const;  // "exit code 2", "killed by signal 9 (Killed)"
};

class ChildProcess {
 public:
  // Starts argv[0] (a path) with the given arguments. Throws std::runtime_error when fork
  // fails; a failing exec shows up as exit code 127 with the reason in the stderr file.
  ChildProcess(const std::vector<std::string>& argv, const std::string& stdout_path,
               const std::string& stderr_path);

  pid_t pid() const { return pid_; }
  // Non-blocking; the exit status once the child has ended (and was reaped).
  std::optional<ChildExit> poll();
  // Blocks until the child ends.
  ChildExit wait();
  void kill(int signal) const;

 private:
  pid_t pid_ = -1;
  std::optional<ChildExit> exit_;
};

}  // namespace qarch::dse
