using System.Runtime.InteropServices;

namespace Singer.Recommendation;

/// <summary>
/// While training or evaluating, keeps the native memory that libtorch frees inside the process (glibc on Linux), so
/// that the next step's tensors reuse it instead of mapping fresh pages (<see cref="TrainingOptions.RetainNativeMemory"/>).
/// </summary>
/// <remarks>
/// glibc serves every allocation above its mmap threshold (at most 32 MB) with a fresh <c>mmap</c> and returns it to
/// the system on free, and trims the heap top beyond its trim threshold. Every page of such a block is then faulted in
/// (and zeroed) again on first touch, at every training step. From 64 × MovieLens-100K on (a <c>[users + items, 64]</c>
/// float tensor is 41 MB) that was most of a step (docs/benchmarks.md, "Training cost as the data grows"). Inside
/// the scope glibc maps nothing per allocation (<c>M_MMAP_MAX = 0</c>) and trims nothing (<c>M_TRIM_THRESHOLD</c>
/// 2 GB); when the last scope ends it returns the free memory to the system (<c>malloc_trim</c>) and sets the
/// thresholds that glibc's own dynamic policy reaches after large blocks have been freed (mmap above 32 MB, trim above
/// 64 MB). Process-wide and reference-counted; it changes where blocks live, never a value. Elsewhere (Windows, macOS,
/// a C library without these calls) it does nothing.
/// </remarks>
internal static partial class NativeMemoryRetention
{
    private const int TrimThreshold = -1;   // M_TRIM_THRESHOLD
    private const int MmapThreshold = -3;   // M_MMAP_THRESHOLD
    private const int MmapMax = -4;         // M_MMAP_MAX
    private const int DefaultMmapMax = 65_536;
    private const int MaxDynamicMmapThreshold = 32 << 20;

    private static readonly Lock Gate = new();
    private static readonly Lazy<bool> Available = new(Probe);
    private static int _depth;

    /// <summary>Whether the process's C library is glibc (the policy applies).</summary>
    public static bool IsAvailable => Available.Value;

    /// <summary>Scopes currently open.</summary>
    public static int Depth
    {
        get
        {
            lock (Gate)
            {
                return _depth;
            }
        }
    }

    /// <summary>Opens a scope; dispose it to close. Without glibc the scope does nothing.</summary>
    public static IDisposable Enter()
    {
        lock (Gate)
        {
            if (_depth++ == 0 && IsAvailable)
            {
                _ = mallopt(MmapMax, 0);
                _ = mallopt(TrimThreshold, int.MaxValue);
            }
        }

        return new Scope();
    }

    private static void Exit()
    {
        lock (Gate)
        {
            if (--_depth == 0 && IsAvailable)
            {
                _ = mallopt(MmapThreshold, MaxDynamicMmapThreshold);
                _ = mallopt(TrimThreshold, 2 * MaxDynamicMmapThreshold);
                _ = mallopt(MmapMax, DefaultMmapMax);
                _ = malloc_trim(0);
            }
        }
    }

    private static bool Probe()
    {
        if (!OperatingSystem.IsLinux())
        {
            return false;
        }

        try
        {
            // Only glibc has gnu_get_libc_version; musl's mallopt is a stub.
            return gnu_get_libc_version() != 0;
        }
        catch (Exception e) when (e is DllNotFoundException or EntryPointNotFoundException)
        {
            return false;
        }
    }

    private sealed class Scope : IDisposable
    {
        private int _disposed;

        public void Dispose()
        {
            if (Interlocked.Exchange(ref _disposed, 1) == 0)
            {
                Exit();
            }
        }
    }

    [LibraryImport("libc", EntryPoint = "mallopt")]
    private static partial int mallopt(int parameter, int value);

    [LibraryImport("libc", EntryPoint = "malloc_trim")]
    private static partial int malloc_trim(nuint pad);

    [LibraryImport("libc", EntryPoint = "gnu_get_libc_version")]
    private static partial nint gnu_get_libc_version();
}
