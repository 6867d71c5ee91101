"""What this process may allocate: the memory limit, and the guard on inputs' sizes.

Every path that would allocate something whose size a user (or a file) chooses — the
design program (:mod:`lpmech.solving.sizing`), an allocation space of many items, a
builder's value tables, the arrays a loaded file declares — asks first and refuses with
:class:`~lpmech.errors.ProblemTooLargeError` before anything large exists.

The default limit is :data:`DEFAULT_MEMORY_SHARE` of :func:`available_memory`: the least
of the machine's available memory, what the process's cgroup still allows (v2
``memory.max``, or v1 ``memory.limit_in_bytes``, less current usage) and the address
space ``ulimit -v`` (RLIMIT_AS) leaves unmapped. Counts are Python integers throughout,
so sizes of any magnitude (2¹⁰³⁰ profiles) are compared and printed exactly.
"""

from __future__ import annotations

import math
import os
from fractions import Fraction
from pathlib import Path

from lpmech.errors import InvalidArgumentError, ProblemTooLargeError

#: Share of the available memory a solve may use when no limit is given.
DEFAULT_MEMORY_SHARE = 0.5
#: The largest memory limit accepted: 2⁶⁴ bytes, more than any machine addresses.
MAX_MEMORY_LIMIT = 2**64
#: Measured peak bytes of what inputs allocate, with a margin of about 1.5–2×: a component of
#: :class:`~lpmech.problem.allocation.Items` (its name, matrix entries: 240–265 bytes
#: measured at 10⁶–3·10⁶ components), an entry of a builder's value tables (16 bytes
#: measured), and a type of an agent (labels, exact copies).
BYTES_PER_COMPONENT = 400
BYTES_PER_TABLE_ENTRY = 32
#: An entry of a value table held exactly (Fractions in an object array, with the exact
#: copy the environment keeps): 73–76 bytes measured at 10⁵–10⁶ entries, with a 2× margin.
BYTES_PER_EXACT_ENTRY = 160
BYTES_PER_AGENT_TYPE = 256
#: A point of a sweep's grid: its parameters and its result row (21 columns).
BYTES_PER_SWEEP_POINT = 4096
#: A byte of a file read as untrusted input: its text (up to 4 bytes a character as a
#: str), and what JSON or TOML make of it (a number of ~5 characters becomes a float and
#: a list slot, 32 bytes), with a margin.
BYTES_PER_FILE_BYTE = 16
#: A row pointer of a CSR matrix (an int64), allocated per declared row.
ROW_POINTER_BYTES = 8
#: An exact rational of a certificate's mechanism (the object, its fmpq, scaled copies).
BYTES_PER_RATIONAL = 256
#: Where cgroup file systems are mounted, and where the kernel lists this process's cgroups.
CGROUP_ROOT = Path("/sys/fs/cgroup")
PROC_CGROUP = Path("/proc/self/cgroup")
#: (limit, usage) files of a cgroup v2 and a cgroup v1 memory controller.
V2_FILES = ("memory.max", "memory.current")
V1_FILES = ("memory.limit_in_bytes", "memory.usage_in_bytes")


def format_bytes(n_bytes: float) -> str:
    """Bytes in the largest unit that keeps the number ≥ 1 (e.g. ``3.2 GB``).

    Exact for counts of any size (Python integers: 2¹⁰³⁰ profiles make no float).
    """
    units = ("B", "kB", "MB", "GB", "TB", "PB")
    value = Fraction(n_bytes)
    power = 0
    while value >= 1000 and power < len(units) - 1:
        value /= 1000
        power += 1
    if value < 10**15:
        return f"{float(value):.3g} {units[power]}"
    exponent = len(str(math.floor(value))) - 1  # beyond floats: mantissa and exponent
    return f"{float(value / 10**exponent):.3g}e{exponent} {units[power]}"


def _cgroup_directories() -> list[tuple[Path, str, str]]:
    """(directory, limit file, usage file) of this process's memory cgroups, innermost first.

    From ``/proc/self/cgroup``: the v2 line ``0::/path`` (``memory.max``) and the v1 line
    naming the ``memory`` controller (``memory.limit_in_bytes``), each directory and its
    ancestors (a parent's limit also binds), and the mount point itself.
    """
    try:
        lines = PROC_CGROUP.read_text().splitlines()
    except OSError:
        lines = []
    found = []
    for line in lines:
        _, controllers, path = [*line.split(":", 2), "", ""][:3]
        if controllers == "":
            root, files = CGROUP_ROOT, V2_FILES
        elif "memory" in controllers.split(","):
            root, files = CGROUP_ROOT / "memory", V1_FILES
        else:
            continue
        directory = root / path.strip("/")
        while True:
            found.append((directory, *files))
            if directory == root:
                break
            directory = directory.parent
    if not found:
        found = [(CGROUP_ROOT, *V2_FILES), (CGROUP_ROOT / "memory", *V1_FILES)]
    return found


def _cgroup_memory() -> int | None:
    """Bytes this process's cgroups (v2 or v1) still allow it, if any limits them."""
    room = []
    for directory, limit_file, usage_file in _cgroup_directories():
        try:
            limit = (directory / limit_file).read_text().strip()
        except OSError:
            continue
        if not limit.isdigit() or int(limit) >= MAX_MEMORY_LIMIT // 4:  # "max": unlimited
            continue
        try:
            usage = int((directory / usage_file).read_text().strip())
        except (OSError, ValueError):
            usage = 0
        room.append(max(int(limit) - usage, 0))
    return min(room) if room else None


def _address_space_limit() -> int | None:
    """Bytes of address space the process may still map under ``ulimit -v`` (RLIMIT_AS)."""
    try:
        import resource
    except ImportError:  # not on POSIX
        return None
    soft, _ = resource.getrlimit(resource.RLIMIT_AS)
    if soft == resource.RLIM_INFINITY:
        return None
    try:
        with open("/proc/self/statm", encoding="ascii") as statm:
            mapped = int(statm.read().split()[0]) * os.sysconf("SC_PAGE_SIZE")
    except (OSError, ValueError, IndexError):
        mapped = 0
    return max(soft - mapped, 0)


def available_memory() -> int:
    """Bytes of memory this process may use: the least of the machine's available memory
    (MemAvailable, else physical memory), what the process's cgroup (v2 or v1) still
    allows, and what its address-space limit (``ulimit -v``, RLIMIT_AS) leaves unmapped."""
    machine = None
    try:
        with open("/proc/meminfo", encoding="ascii") as meminfo:
            for line in meminfo:
                if line.startswith("MemAvailable:"):
                    machine = int(line.split()[1]) * 1024
                    break
    except OSError:
        pass
    if machine is None:
        try:
            machine = os.sysconf("SC_PAGE_SIZE") * os.sysconf("SC_PHYS_PAGES")
        except (ValueError, OSError, AttributeError):
            machine = 8 * 1024**3
    limits = [machine, _cgroup_memory(), _address_space_limit()]
    return min(limit for limit in limits if limit is not None)


def resolve_memory_limit(limit: float | None) -> int:
    """The limit in bytes: ``limit`` validated, or half of :func:`available_memory`.

    Raises
    ------
    InvalidArgumentError
        Naming ``memory_limit`` unless it is a positive number of bytes of at most
        :data:`MAX_MEMORY_LIMIT`.
    """
    if limit is None:
        return int(DEFAULT_MEMORY_SHARE * available_memory())
    if isinstance(limit, bool) or not isinstance(limit, int | float):
        raise InvalidArgumentError(
            f"memory_limit must be a positive number of bytes, got {limit!r}"
        )
    if isinstance(limit, float) and not math.isfinite(limit):
        raise InvalidArgumentError(f"memory_limit must be a finite number of bytes, got {limit}")
    if not limit > 0:
        raise InvalidArgumentError(
            f"memory_limit must be a positive number of bytes, got {limit!r}"
        )
    if limit > MAX_MEMORY_LIMIT:
        raise InvalidArgumentError(
            f"memory_limit must be at most 2**64 bytes (no machine addresses more), got "
            f"{format_bytes(limit)}"
        )
    return int(limit)


def format_count(n: int) -> str:
    """A count in full up to 10¹⁵ (``1,234``), else as a power of ten (2¹⁰³⁰: ``1.15e310``)."""
    if n < 10**15:
        return f"{n:,}"
    digits = len(str(n)) - 1
    return f"{n // 10 ** (digits - 2) / 100:.2f}e{digits}"


def check_allocation(
    n_numbers: int, what: str, bytes_per_number: int, limit: int | None = None
) -> None:
    """Refuse to allocate ``n_numbers`` numbers of ``bytes_per_number`` bytes for ``what``.

    Called with counts computed from declared sizes (Python integers), before any array of
    that size exists; costs a read of the memory limits.

    Raises
    ------
    ProblemTooLargeError
        When the bytes exceed ``limit`` (default: :func:`resolve_memory_limit` of None),
        naming ``what`` and how many would fit.
    """
    n_bytes = bytes_per_number * n_numbers
    limit = resolve_memory_limit(None) if limit is None else limit
    if n_bytes > limit:
        raise ProblemTooLargeError(
            f"{what}: {format_count(n_numbers)} numbers would take about "
            f"{format_bytes(n_bytes)}, over the limit of {format_bytes(limit)} (half the "
            "memory available to this process); nothing was allocated. At most "
            f"{format_count(limit // bytes_per_number)} fit",
            n_bytes,
            limit,
        )
