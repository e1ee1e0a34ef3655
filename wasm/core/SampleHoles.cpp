// SPDX-License-Identifier: MIT
#include "SampleHoles.h"

extern "C" {
#include <libavformat/avformat.h>
}

#include <algorithm>

namespace avseg {

void SampleHoles::learn(AVFormatContext* format, const std::vector<int>& streams)
{
    bool added = false;
    for (int index : streams) {
        if (index < 0 || static_cast<unsigned>(index) >= format->nb_streams)
            continue;
        if (known_.size() <= static_cast<size_t>(index))
            known_.resize(static_cast<size_t>(index) + 1, 0);
        AVStream* st = format->streams[index];
        const int count = avformat_index_get_entries_count(st);
        for (int i = known_[index]; i < count; ++i) {
            const AVIndexEntry* e = avformat_index_get_entry(st, i);
            if (e && e->pos >= 0 && e->size > 0) {
                holes_.emplace_back(e->pos, e->pos + e->size);
                added = true;
            }
        }
        known_[index] = std::max(known_[index], count);
    }
    if (!added)
        return;
    std::sort(holes_.begin(), holes_.end());
    std::vector<std::pair<int64_t, int64_t>> merged;
    merged.reserve(holes_.size());
    for (const auto& h : holes_) {
        if (!merged.empty() && h.first <= merged.back().second)
            merged.back().second = std::max(merged.back().second, h.second);
        else
            merged.push_back(h);
    }
    holes_ = std::move(merged);
}

std::pair<bool, int64_t> SampleHoles::span(int64_t pos, int64_t n) const
{
    auto it = std::upper_bound(holes_.begin(), holes_.end(), std::make_pair(pos, INT64_MAX));
    if (it != holes_.begin() && std::prev(it)->second > pos)
        return {true, std::min(n, std::prev(it)->second - pos)};
    if (it != holes_.end())
        return {false, std::min(n, it->first - pos)};
    return {false, n};
}

} // namespace avseg
