package garlic

import "fmt"

// Kind names the message a payload travels in, which decides the block
// ordering rules (ecies.rst "Block Ordering Rules").
type Kind uint8

// Message kinds.
const (
	// NewSession is a New Session message, including the router-level
	// Noise_N message of ecies-routers.rst: DateTime required and first;
	// Garlic Clove, Options and Padding allowed.
	NewSession Kind = iota + 1
	// NewSessionReply allows Garlic Clove, Options and Padding, and also
	// DateTime, which the spec does not list but tolerates in practice.
	NewSessionReply
	// ExistingSession allows every block; Termination must be the last
	// block except Padding, at most two NextKey blocks. The one-time
	// reply to a DatabaseLookup is an Existing Session message.
	ExistingSession
)

// MaxNextKeyBlocks is the most NextKey blocks one frame may hold.
const MaxNextKeyBlocks = 2

// String returns the spec's name of k.
func (k Kind) String() string {
	switch k {
	case NewSession:
		return "new session"
	case NewSessionReply:
		return "new session reply"
	case ExistingSession:
		return "existing session"
	}
	return fmt.Sprintf("Kind(%d)", uint8(k))
}

// CheckOrder reports whether blocks obey the ordering rules of a message of
// kind k. In every kind Padding, if present, must be the only Padding block
// and the last block.
func CheckOrder(k Kind, blocks []Block) error {
	nextKeys := 0
	for i, b := range blocks {
		t := b.Type()
		if t == BlockPadding && i != len(blocks)-1 {
			return fmt.Errorf("garlic: %v: padding at %d of %d blocks: %w", k, i, len(blocks), ErrOrder)
		}
		switch k {
		case NewSession, NewSessionReply:
			if err := checkHandshakeBlock(k, i, t); err != nil {
				return err
			}
		case ExistingSession:
			if t == BlockNextKey {
				if nextKeys++; nextKeys > MaxNextKeyBlocks {
					return fmt.Errorf("garlic: %v: %d next key blocks: %w", k, nextKeys, ErrOrder)
				}
			}
			if t == BlockTermination && !lastBeforePadding(blocks, i) {
				return fmt.Errorf("garlic: %v: termination at %d of %d blocks: %w", k, i, len(blocks), ErrOrder)
			}
		default:
			return fmt.Errorf("garlic: %v: %w", k, ErrInvalid)
		}
	}
	if k == NewSession && (len(blocks) == 0 || blocks[0].Type() != BlockDateTime) {
		return fmt.Errorf("garlic: %v: no leading datetime block: %w", k, ErrOrder)
	}
	return nil
}

func checkHandshakeBlock(k Kind, i int, t BlockType) error {
	switch t {
	case BlockGarlicClove, BlockOptions, BlockPadding:
		return nil
	case BlockDateTime:
		if k == NewSessionReply || i == 0 {
			return nil
		}
	}
	return fmt.Errorf("garlic: %v: block %d at %d not allowed: %w", k, t, i, ErrOrder)
}

func lastBeforePadding(blocks []Block, i int) bool {
	rest := blocks[i+1:]
	return len(rest) == 0 || (len(rest) == 1 && rest[0].Type() == BlockPadding)
}
