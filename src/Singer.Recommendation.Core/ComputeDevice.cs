using TorchSharp;

namespace Singer.Recommendation;

/// <summary>
/// The device that tensors live on: the CPU or a CUDA GPU. Parses <c>cpu</c>, <c>cuda</c>, <c>cuda:N</c> and
/// <c>auto</c> (CUDA when available, else the CPU), initialises TorchSharp's CUDA backend when asked, and fails
/// with a clear message when CUDA is requested but not available.
/// </summary>
public sealed class ComputeDevice : IEquatable<ComputeDevice>
{
    /// <summary>The environment variable that samples and benchmarks read: <c>SINGER_DEVICE</c>.</summary>
    public const string EnvironmentVariable = "SINGER_DEVICE";

    private ComputeDevice(DeviceType type, int index)
    {
        Type = type;
        Index = index;
    }

    /// <summary>The CPU.</summary>
    public static ComputeDevice Cpu { get; } = new(DeviceType.CPU, -1);

    /// <summary>The first CUDA GPU (<c>cuda:0</c>).</summary>
    public static ComputeDevice Cuda { get; } = new(DeviceType.CUDA, 0);

    /// <summary>CPU or CUDA.</summary>
    public DeviceType Type { get; }

    /// <summary>The CUDA device index; -1 for the CPU.</summary>
    public int Index { get; }

    /// <summary>Whether this is a CUDA device.</summary>
    public bool IsCuda => Type == DeviceType.CUDA;

    private torch.Device? _torchDevice;

    /// <summary>The TorchSharp device. For CUDA, the first use runs <see cref="Initialize"/>.</summary>
    /// <exception cref="InvalidOperationException">CUDA was requested but is not available (the message of <see cref="Initialize"/>).</exception>
    // Without Initialize first, torch.device(CUDA) on a machine without CUDA fails with TorchSharp's bare
    // "did not initialise" message; Initialize says what to install or to use the CPU.
    public torch.Device TorchDevice => _torchDevice ??= IsCuda ? Initialize().CreateCudaDevice() : torch.CPU;

    private torch.Device CreateCudaDevice() => torch.device(DeviceType.CUDA, Index);

    /// <summary>The CUDA GPU with index <paramref name="index"/>.</summary>
    public static ComputeDevice CudaDevice(int index)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(index);
        return new ComputeDevice(DeviceType.CUDA, index);
    }

    /// <summary>
    /// Parses <c>cpu</c>, <c>cuda</c>, <c>cuda:N</c> or <c>auto</c> (case-insensitive). <c>auto</c> resolves at once:
    /// CUDA when TorchSharp's CUDA backend loads and reports a GPU, else the CPU.
    /// </summary>
    /// <exception cref="ArgumentException">The text is none of these.</exception>
    public static ComputeDevice Parse(string text)
    {
        ArgumentNullException.ThrowIfNull(text);
        string t = text.Trim().ToLowerInvariant();
        if (t is "cpu")
        {
            return Cpu;
        }

        if (t is "cuda" or "gpu")
        {
            return Cuda;
        }

        if (t.StartsWith("cuda:", StringComparison.Ordinal)
            && int.TryParse(t.AsSpan(5), System.Globalization.NumberStyles.None, System.Globalization.CultureInfo.InvariantCulture, out int index))
        {
            return CudaDevice(index);
        }

        if (t is "auto" or "")
        {
            return IsCudaAvailable() ? Cuda : Cpu;
        }

        throw new ArgumentException($"Device '{text}' is not one of: cpu, cuda, cuda:N, auto.", nameof(text));
    }

    /// <summary>The device named by <c>SINGER_DEVICE</c>, or <paramref name="fallback"/> (default <c>cpu</c>) when it is not set.</summary>
    public static ComputeDevice FromEnvironment(string fallback = "cpu")
    {
        string? value = Environment.GetEnvironmentVariable(EnvironmentVariable);
        return Parse(string.IsNullOrWhiteSpace(value) ? fallback : value);
    }

    /// <summary>Whether a CUDA GPU can be used: tries to load TorchSharp's CUDA backend once.</summary>
    public static bool IsCudaAvailable()
    {
        try
        {
            torch.InitializeDeviceType(DeviceType.CUDA);
            return torch.cuda.is_available();
        }
        catch (Exception e) when (e is NotSupportedException or DllNotFoundException or TypeInitializationException or InvalidOperationException or System.Runtime.InteropServices.ExternalException)
        {
            return false;
        }
    }

    /// <summary>
    /// Makes the device ready: for CUDA, loads the CUDA backend and checks that GPU <see cref="Index"/> exists;
    /// for the CPU, sets the number of intra-op threads when <paramref name="cpuThreads"/> is given.
    /// </summary>
    /// <exception cref="InvalidOperationException">CUDA was requested but is not available.</exception>
    public ComputeDevice Initialize(int? cpuThreads = null)
    {
        if (cpuThreads is { } n)
        {
            ArgumentOutOfRangeException.ThrowIfLessThan(n, 1, nameof(cpuThreads));
            torch.set_num_threads(n);
        }

        if (!IsCuda)
        {
            return this;
        }

        try
        {
            torch.InitializeDeviceType(DeviceType.CUDA);
        }
        catch (Exception e) when (e is not OutOfMemoryException)
        {
            throw new InvalidOperationException(
                $"Device '{this}' was requested, but TorchSharp's CUDA backend could not be loaded ({FirstLine(e.Message)}). " +
                "Reference a CUDA libtorch package (for example libtorch-cuda-12.8-linux-x64) or make a CUDA libtorch loadable, or use the CPU.", e);
        }

        if (!torch.cuda.is_available())
        {
            throw new InvalidOperationException($"Device '{this}' was requested, but no CUDA GPU is available to TorchSharp; use the CPU ('cpu' or 'auto').");
        }

        int count = torch.cuda.device_count();
        if (Index >= count)
        {
            throw new InvalidOperationException($"Device '{this}' was requested, but only {count} CUDA device(s) exist (cuda:0 … cuda:{count - 1}).");
        }

        return this;
    }

    private static string FirstLine(string message)
    {
        // TorchSharp appends an (often empty) native trace after the first line.
        int end = message.IndexOfAny(['\r', '\n']);
        return (end < 0 ? message : message[..end]).Trim().TrimEnd('.', ':');
    }

    /// <inheritdoc />
    public bool Equals(ComputeDevice? other) => other is not null && other.Type == Type && other.Index == Index;

    /// <inheritdoc />
    public override bool Equals(object? obj) => Equals(obj as ComputeDevice);

    /// <inheritdoc />
    public override int GetHashCode() => HashCode.Combine(Type, Index);

    /// <summary>The device in the form <see cref="Parse"/> reads: <c>cpu</c> or <c>cuda:N</c>.</summary>
    public override string ToString() => IsCuda ? $"cuda:{Index}" : "cpu";

    /// <summary>The TorchSharp device.</summary>
    public static implicit operator torch.Device(ComputeDevice device)
    {
        ArgumentNullException.ThrowIfNull(device);
        return device.TorchDevice;
    }
}
