# photobooth/__init__.py: the `photobooth` package of PhotoBooth Immich Sync
#
# Copyright 2026 The PhotoBooth Immich Sync authors
#
# SPDX-License-Identifier: GPL-3.0-or-later
"""PhotoBooth Immich Sync for Python scripts: see photobooth.immich."""
