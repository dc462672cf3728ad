//go:build race

package client

// raceEnabled reports a build with the race detector, which allocates more
// (sync.Pool keeps less, every goroutine has shadow state): allocation
// bounds are loosened under it.
const raceEnabled = true
