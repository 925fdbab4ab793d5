// Package browsertest holds the browser tests of the project's two HTML views: the HTML
// conformance report (--report-html) and the mock's dashboard (/__mock/ui). They drive a
// headless Chromium through chromedp, one browser for the package, and are skipped with a
// message where no Chromium can be found (set $CHROME to its path, or install Debian's
// chromium package, as .ci/run does).
package browsertest
