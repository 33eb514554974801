package shared

import "github.com/sabre-mm/sabre/internal/mem"

// bigEndianHost is mem.BigEndianHost, for the layout tests.
var bigEndianHost = mem.BigEndianHost
