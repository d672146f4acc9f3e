// TimeFormatter: local time of day and date, cached per second.
#include "print/time_format.hpp"

#include <ctime>

namespace tapd::print {

void TimeFormatter::update(int64_t sec) {
    if (sec == cached_sec_) return;
    time_t t = static_cast<time_t>(sec);
    struct tm tm {};
    localtime_r(&t, &tm);
    auto two = [](char* p, int v) {
        p[0] = static_cast<char>('0' + v / 10);
        p[1] = static_cast<char>('0' + v % 10);
    };
    two(hms_, tm.tm_hour);
    hms_[2] = ':';
    two(hms_ + 3, tm.tm_min);
    hms_[5] = ':';
    two(hms_ + 6, tm.tm_sec);
    int year = tm.tm_year + 1900;
    if (year < 0 || year > 9999) year = 0;
    for (int i = 3; i >= 0; --i, year /= 10) date_[i] = static_cast<char>('0' + year % 10);
    date_[4] = '-';
    two(date_ + 5, tm.tm_mon + 1);
    date_[7] = '-';
    two(date_ + 8, tm.tm_mday);
    cached_sec_ = sec;
}

void TimeFormatter::write(TextBuffer& o, int64_t sec, uint32_t nsec, bool nanosecond) {
    update(sec);
    o.append({hms_, sizeof hms_});
    o.put('.');
    if (nanosecond)
        o.dec_padded(nsec, 9);
    else
        o.dec_padded(nsec / 1000, 6);
}

void TimeFormatter::write_date(TextBuffer& o, int64_t sec, uint32_t nsec, bool nanosecond) {
    update(sec);
    o.append({date_, sizeof date_});
    o.put(' ');
    write(o, sec, nsec, nanosecond);
}

}  // namespace tapd::print
