#pragma once
// What a running sweep shows on stderr: a redrawn progress bar with ETA on a terminal, one line
// per finished point otherwise, or nothing.

#include <chrono>
#include <cstddef>
#include <iosfwd>
#include <string>

namespace qarch::dse {

enum class ProgressMode { Bar, Lines, Quiet };

// "0:07", "12:03", "2:05:09"
std::string format_duration(double seconds);

// "[#######.............]  35/100  35%" -- `width` characters between the brackets.
std::string render_bar(std::size_t done, std::size_t total, std::size_t width);

class Progress {
 public:
  // `todo`: points this run will execute; `already`: finished before it; `total`: all points.
  Progress(std::ostream& out, ProgressMode mode, std::size_t todo, std::size_t already,
           std::size_t total);

  // A point ended: `line` describes it (used in Lines mode), `failed` counts it as a failure.
  void finished(const std::string& line, bool failed);
  // Redraws the bar (Bar mode, at most ~10 times per second).
  void tick(std::size_t running);
  void close();

  // Seconds left, estimated from the mean time per finished point of this run; < 0 unknown.
  double eta_s() const;

 private:
  std::string status_line(std::size_t running) const;

  std::ostream& out_;
  ProgressMode mode_;
  std::size_t todo_, already_, total_;
  std::size_t done_ = 0, failed_ = 0, running_ = 0;
  std::chrono::steady_clock::time_point start_, last_draw_;
  bool drawn_ = false;
};

}  // namespace qarch::dse
