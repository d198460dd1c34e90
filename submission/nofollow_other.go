//go:build !unix

package submission

// openNoFollow: Windows has no O_NOFOLLOW; the copy's Stat check and the
// file identity check still refuse a link or another file.
const openNoFollow = 0
