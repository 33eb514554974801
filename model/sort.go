package model

import (
	"context"
	"errors"
	"slices"
)

// SortFuncContext sorts s by cmp (as slices.SortFunc) and stops with ctx's
// error when ctx is done: runs of a few thousand elements are sorted in
// place, then merged pairwise, with ctx checked between runs and every 1024
// merged elements. The enumerator sorts its states with it, and so does the
// litmus front end, so that a deadline interrupts even a million-state sort.
// On error s is left permuted, not sorted. A nil ctx or cmp is an error,
// and s is left as it was.
func SortFuncContext[T any](ctx context.Context, s []T, cmp func(a, b T) int) error {
	switch {
	case ctx == nil:
		return errors.New("model: SortFuncContext: nil context.Context")
	case cmp == nil:
		return errors.New("model: SortFuncContext: nil comparison function")
	}
	const run = 4096
	for i := 0; i < len(s); i += run {
		if err := ctx.Err(); err != nil {
			return err
		}
		slices.SortFunc(s[i:min(i+run, len(s))], cmp)
	}
	if len(s) <= run {
		return nil
	}
	src, dst := s, make([]T, len(s))
	for width := run; width < len(s); width *= 2 {
		for lo := 0; lo < len(s); lo += 2 * width {
			mid, hi := min(lo+width, len(s)), min(lo+2*width, len(s))
			i, j, k := lo, mid, lo
			for i < mid && j < hi {
				if k&1023 == 1023 {
					if err := ctx.Err(); err != nil {
						return err
					}
				}
				if cmp(src[j], src[i]) < 0 {
					dst[k] = src[j]
					j++
				} else {
					dst[k] = src[i]
					i++
				}
				k++
			}
			k += copy(dst[k:], src[i:mid])
			copy(dst[k:], src[j:hi])
		}
		src, dst = dst, src
	}
	if &src[0] != &s[0] {
		copy(s, src)
	}
	return nil
}
