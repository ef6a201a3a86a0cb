#include "dse/progress.hpp"

#include <cstdio>
#include <ostream>

namespace qarch::dse {

std::string format_duration(double seconds) {
  if (seconds < 0) return "?";
  const long total = static_cast<long>(seconds + 0.5);
  char text[32];
  if (total >= 3600) {
    std::snprintf(text, sizeof text, "%ld:%02ld:%02ld", total / 3600, total / 60 % 60, total % 60);
  } else {
    std::snprintf(text, sizeof text, "%ld:%02ld", total / 60, total % 60);
  }
  return text;
}

std::string render_bar(std::size_t done, std::size_t total, std::size_t width) {
  const std::size_t filled = total == 0 ? width : done * width / total;
  const unsigned percent = total == 0 ? 100u : static_cast<unsigned>(done * 100 / total);
  char counts[64];
  std::snprintf(counts, sizeof counts, "] %zu/%zu %3u%%", done, total, percent);
  return "[" + std::string(filled, '#') + std::string(width - filled, '.') + counts;
}

Progress::Progress(std::ostream& out, ProgressMode mode, std::size_t todo, std::size_t already,
                   std::size_t total)
    : out_(out), mode_(mode), todo_(todo), already_(already), total_(total),
      start_(std::chrono::steady_clock::now()), last_draw_(start_) {}

double Progress::eta_s() const {
  if (done_ == 0) return -1;
  const double elapsed =
      std::chrono::duration<double>(std::chrono::steady_clock::now() - start_).count();
  return elapsed / static_cast<double>(done_) * static_cast<double>(todo_ - done_);
}

std::string Progress::status_line(std::size_t running) const {
  const double elapsed =
      std::chrono::duration<double>(std::chrono::steady_clock::now() - start_).count();
  std::string line = render_bar(already_ + done_, total_, 30);
  line += "  " + std::to_string(failed_) + " failed, " + std::to_string(running) + " running";
  line += "  elapsed " + format_duration(elapsed) + "  ETA " + format_duration(eta_s());
  return line;
}

void Progress::finished(const std::string& line, bool failed) {
  ++done_;
  if (failed) ++failed_;
  if (running_ > 0) --running_;  // the finished point is no longer running
  if (mode_ == ProgressMode::Lines) {
    out_ << "[" << already_ + done_ << "/" << total_ << "] " << line << "\n" << std::flush;
  }
  if (mode_ == ProgressMode::Bar) {
    if (failed) out_ << "\r\033[K" << line << "\n";  // failures stay visible above the bar
    last_draw_ = {};
    tick(running_);
  }
}

void Progress::tick(std::size_t running) {
  running_ = running;
  if (mode_ != ProgressMode::Bar) return;
  const auto now = std::chrono::steady_clock::now();
  if (drawn_ && now - last_draw_ < std::chrono::milliseconds(100)) return;
  last_draw_ = now;
  drawn_ = true;
  out_ << "\r\033[K" << status_line(running) << std::flush;
}

void Progress::close() {
  if (mode_ == ProgressMode::Bar && drawn_) {
    last_draw_ = {};
    drawn_ = false;
    out_ << "\r\033[K" << status_line(0) << "\n" << std::flush;
  }
}

}  // namespace qarch::dse
