using System.Globalization;
using Microsoft.Extensions.Logging;
using TorchSharp;

namespace Singer.Recommendation.Benchmarks;

/// <summary>Small helpers of the console modes: arguments, machine description, output.</summary>
internal static class ModeSupport
{
    /// <summary>The value after <c>--name</c>, or the fallback.</summary>
    public static string Option(string[] args, string name, string fallback)
    {
        int at = Array.IndexOf(args, "--" + name);
        return at >= 0 && at + 1 < args.Length ? args[at + 1] : fallback;
    }

    public static int Int(string[] args, string name, int fallback) =>
        int.Parse(Option(args, name, fallback.ToString(CultureInfo.InvariantCulture)), CultureInfo.InvariantCulture);

    public static int[] Ints(string[] args, string name, string fallback) =>
        Option(args, name, fallback).Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries)
            .Select(s => int.Parse(s, NumberStyles.AllowThousands, CultureInfo.InvariantCulture)).ToArray();

    /// <summary>One line that says what the measurements ran on.</summary>
    public static string Machine()
    {
        string cpu = "unknown CPU";
        if (File.Exists("/proc/cpuinfo"))
        {
            cpu = File.ReadLines("/proc/cpuinfo").FirstOrDefault(l => l.StartsWith("model name", StringComparison.Ordinal))?.Split(':', 2)[1].Trim() ?? cpu;
        }

        long memory = GC.GetGCMemoryInfo().TotalAvailableMemoryBytes;
        return string.Create(CultureInfo.InvariantCulture,
            $"{cpu}, {Environment.ProcessorCount} cores, {memory / (1L << 30)} GiB; .NET {Environment.Version}; TorchSharp, libtorch intra-op threads {torch.get_num_threads()}; {DateTime.UtcNow:yyyy-MM-dd HH:mm} UTC");
    }

    /// <summary>Writes the report to the console and, when given, to a file (created with its folder).</summary>
    public static void Emit(string report, string? path)
    {
        Console.WriteLine(report);
        if (!string.IsNullOrEmpty(path))
        {
            Directory.CreateDirectory(Path.GetDirectoryName(Path.GetFullPath(path))!);
            File.WriteAllText(path, report);
            Console.WriteLine($"(written to {path})");
        }
    }

    /// <summary>The 1, 5 and 15-minute load averages (Linux), or "n/a".</summary>
    public static string LoadAverage() =>
        File.Exists("/proc/loadavg") ? string.Join(" ", File.ReadAllText("/proc/loadavg").Split(' ').Take(3)) : "n/a";

    public static string Mb(long bytes) => (bytes / 1048576.0).ToString("N0", CultureInfo.InvariantCulture);
}

/// <summary>A logger that keeps the messages (to read the builder's summary line) and echoes them when asked.</summary>
internal sealed class CapturingLogger(bool echo) : ILogger
{
    public List<string> Messages { get; } = [];

    public IDisposable? BeginScope<TState>(TState state)
        where TState : notnull => null;

    public bool IsEnabled(LogLevel logLevel) => logLevel >= LogLevel.Information;

    public void Log<TState>(LogLevel logLevel, EventId eventId, TState state, Exception? exception, Func<TState, Exception?, string> formatter)
    {
        if (!IsEnabled(logLevel))
        {
            return;
        }

        string message = formatter(state, exception);
        Messages.Add(message);
        if (echo)
        {
            Console.WriteLine("  · " + message);
        }
    }
}
