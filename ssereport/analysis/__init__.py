"""Pure analysis functions: data in, frozen result out. No I/O, no rounding."""
