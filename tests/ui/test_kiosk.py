#!/usr/bin/env python3
"""UI acceptance (issue 10): kiosk mode on a small touchscreen."""

if __name__ == "__main__":
    from uitest import run_tests
    run_tests(globals())
