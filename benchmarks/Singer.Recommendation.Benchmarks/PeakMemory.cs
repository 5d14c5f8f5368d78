using System.Globalization;

namespace Singer.Recommendation.Benchmarks;

/// <summary>
/// Peak resident memory (Linux <c>VmHWM</c>) around one operation: the high-water mark is reset through
/// <c>/proc/self/clear_refs</c> before it, so the peak belongs to that operation alone. Native (libtorch) memory counts,
/// which BenchmarkDotNet's MemoryDiagnoser does not see. Elsewhere than Linux the figures are unavailable (-1).
/// </summary>
public static class PeakMemory
{
    private static readonly string Folder = Path.Combine(Path.GetTempPath(), "singer-benchmarks-peak");

    /// <summary>Whether the high-water mark can be reset and read here.</summary>
    public static bool Available { get; } = OperatingSystem.IsLinux() && File.Exists("/proc/self/clear_refs");

    /// <summary>The current resident set (bytes), or -1.</summary>
    public static long Resident() => Read("VmRSS:");

    /// <summary>The resident high-water mark since the last <see cref="Reset"/> (bytes), or -1.</summary>
    public static long HighWaterMark() => Read("VmHWM:");

    /// <summary>Resets the high-water mark to the current resident set.</summary>
    public static void Reset()
    {
        if (Available)
        {
            try
            {
                File.WriteAllText("/proc/self/clear_refs", "5");
            }
            catch (IOException)
            {
            }
            catch (UnauthorizedAccessException)
            {
            }
        }
    }

    /// <summary>Runs <paramref name="action"/> and returns (resident before, peak during) in bytes.</summary>
    public static (long Before, long Peak) Measure(Action action)
    {
        ArgumentNullException.ThrowIfNull(action);
        Reset();
        long before = Resident();
        action();
        return (before, HighWaterMark());
    }

    /// <summary>Keeps the largest peak seen for a benchmark case (in a file, so the host process can read what the benchmark process measured).</summary>
    public static void Record(string key, long before, long peak)
    {
        Directory.CreateDirectory(Folder);
        string path = Path.Combine(Folder, Sanitize(key) + ".txt");
        long oldPeak = -1, oldDelta = -1;
        if (File.Exists(path) && File.ReadAllText(path).Split(' ') is [var p, var d])
        {
            oldPeak = long.Parse(p, CultureInfo.InvariantCulture);
            oldDelta = long.Parse(d, CultureInfo.InvariantCulture);
        }

        File.WriteAllText(path, string.Create(CultureInfo.InvariantCulture, $"{Math.Max(oldPeak, peak)} {Math.Max(oldDelta, peak - before)}"));
    }

    /// <summary>The recorded (peak, growth over the resident set before) of a case, or null.</summary>
    public static (long Peak, long Delta)? Recorded(string key)
    {
        string path = Path.Combine(Folder, Sanitize(key) + ".txt");
        return File.Exists(path) && File.ReadAllText(path).Split(' ') is [var p, var d]
            ? (long.Parse(p, CultureInfo.InvariantCulture), long.Parse(d, CultureInfo.InvariantCulture))
            : null;
    }

    /// <summary>Keeps the smallest process CPU time (seconds) seen for a benchmark case.</summary>
    public static void RecordCpu(string key, double seconds)
    {
        Directory.CreateDirectory(Folder);
        string path = Path.Combine(Folder, Sanitize(key) + ".cpu.txt");
        double old = File.Exists(path) ? double.Parse(File.ReadAllText(path), CultureInfo.InvariantCulture) : double.MaxValue;
        File.WriteAllText(path, Math.Min(old, seconds).ToString("R", CultureInfo.InvariantCulture));
    }

    /// <summary>The smallest recorded CPU time of a case, or null.</summary>
    public static double? RecordedCpu(string key)
    {
        string path = Path.Combine(Folder, Sanitize(key) + ".cpu.txt");
        return File.Exists(path) ? double.Parse(File.ReadAllText(path), CultureInfo.InvariantCulture) : null;
    }

    /// <summary>The process CPU time so far (user + system, all threads), in seconds.</summary>
    public static double CpuSeconds()
    {
        using var self = System.Diagnostics.Process.GetCurrentProcess();
        return self.TotalProcessorTime.TotalSeconds;
    }

    /// <summary>Forgets every recorded peak (at the start of a run).</summary>
    public static void Clear()
    {
        if (Directory.Exists(Folder))
        {
            Directory.Delete(Folder, recursive: true);
        }
    }

    private static string Sanitize(string key) => string.Concat(key.Select(c => char.IsLetterOrDigit(c) || c is '-' or '_' or '=' or '.' ? c : '_'));

    private static long Read(string field)
    {
        if (!OperatingSystem.IsLinux())
        {
            return -1;
        }

        foreach (string line in File.ReadLines("/proc/self/status"))
        {
            if (line.StartsWith(field, StringComparison.Ordinal))
            {
                var parts = line[field.Length..].Trim().Split(' ', StringSplitOptions.RemoveEmptyEntries);
                return long.Parse(parts[0], CultureInfo.InvariantCulture) * 1024;
            }
        }

        return -1;
    }
}
