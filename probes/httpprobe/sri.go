package httpprobe

type sriResource struct {
	URL, Kind, Origin, Integrity, SHA384 string
	Bytes                                int
	CrossOrigin                          bool
}
type sriObserved struct {
	Resources       []sriResource
	InventorySHA256 string
}
