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
