package mock

// pageInfo is the page-based pagination object, with both names of the page count.
type pageInfo struct {
	Page       int `json:"page"`
	Limit      int `json:"limit"`
	Total      int `json:"total"`
	TotalPages int `json:"totalPages"`
	Pages      int `json:"pages"`
}

func newPageInfo(page, limit, total int) pageInfo {
	pages := (total + limit - 1) / limit
	return pageInfo{Page: page, Limit: limit, Total: total, TotalPages: pages, Pages: pages}
}

// paginate cuts one page out of a whole, ordered list; a page past the end is empty.
func paginate[T any](all []T, page, limit int) ([]T, pageInfo) {
	pg := newPageInfo(page, limit, len(all))
	start := (page - 1) * limit
	if page-1 > len(all)/limit || start >= len(all) {
		return []T{}, pg
	}
	end := start + limit
	if end > len(all) {
		end = len(all)
	}
	return all[start:end], pg
}
