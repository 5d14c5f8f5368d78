using TorchSharp;

namespace Singer.Recommendation.Core.Tests;

public sealed class ComputeDeviceTests
{
    [Theory]
    [InlineData("cpu", "cpu")]
    [InlineData(" CPU ", "cpu")]
    [InlineData("cuda", "cuda:0")]
    [InlineData("GPU", "cuda:0")]
    [InlineData("cuda:0", "cuda:0")]
    [InlineData("Cuda:3", "cuda:3")]
    public void Parses_device_names(string text, string expected)
    {
        var device = ComputeDevice.Parse(text);

        device.ToString().Should().Be(expected);
        ComputeDevice.Parse(device.ToString()).Should().Be(device, "ToString is the form Parse reads");
    }

    [Fact]
    public void Cuda_devices_carry_their_index_and_torch_device()
    {
        var d = ComputeDevice.Parse("cuda:2");

        (d.IsCuda, d.Type, d.Index).Should().Be((true, DeviceType.CUDA, 2));
        d.Should().Be(ComputeDevice.CudaDevice(2)).And.NotBe(ComputeDevice.Cuda);
        d.GetHashCode().Should().Be(ComputeDevice.CudaDevice(2).GetHashCode());
        ComputeDevice.Cpu.Index.Should().Be(-1);
        ((torch.Device)ComputeDevice.Cpu).type.Should().Be(DeviceType.CPU);
    }

    [Theory]
    [InlineData("tpu")]
    [InlineData("cuda:")]
    [InlineData("cuda:-1")]
    [InlineData("cuda:x")]
    [InlineData("cuda0")]
    [InlineData("cpu:0")]
    public void Bad_text_is_an_argument_error_listing_the_choices(string text)
    {
        var act = () => ComputeDevice.Parse(text);

        act.Should().Throw<ArgumentException>().WithMessage($"Device '{text}' is not one of: cpu, cuda, cuda:N, auto.*");
    }

    [Fact]
    public void Null_and_negative_indices_are_rejected()
    {
        FluentActions.Invoking(() => ComputeDevice.Parse(null!)).Should().Throw<ArgumentNullException>();
        FluentActions.Invoking(() => ComputeDevice.CudaDevice(-1)).Should().Throw<ArgumentOutOfRangeException>();
        FluentActions.Invoking(() => ComputeDevice.Cpu.Initialize(cpuThreads: 0)).Should().Throw<ArgumentOutOfRangeException>();
    }

    [Fact]
    public void Initialising_the_CPU_returns_the_same_device()
    {
        ComputeDevice.Cpu.Initialize().Should().BeSameAs(ComputeDevice.Cpu);
        ComputeDevice.Cpu.Initialize(cpuThreads: torch.get_num_threads()).Should().BeSameAs(ComputeDevice.Cpu);
    }

    [SkippableFact]
    public void Auto_resolves_to_the_CPU_without_a_GPU()
    {
        Skip.If(ComputeDevice.IsCudaAvailable(), "CUDA is available here, so 'auto' resolves to CUDA.");

        ComputeDevice.Parse("auto").Should().Be(ComputeDevice.Cpu);
        ComputeDevice.Parse("").Should().Be(ComputeDevice.Cpu);
    }

    [SkippableFact]
    public void Requesting_CUDA_without_a_GPU_fails_clearly_at_Initialize()
    {
        Skip.If(ComputeDevice.IsCudaAvailable(), "CUDA is available here; this test checks the message on machines without it.");

        var cuda = ComputeDevice.Parse("cuda");
        var act = () => cuda.Initialize();

        var e = act.Should().Throw<InvalidOperationException>().Which;
        e.Message.Should().StartWith("Device 'cuda:0' was requested, but").And.Contain("use the CPU");
        e.Message.Should().NotContain("\n", "the message is one readable line");
        FluentActions.Invoking(() => ComputeDevice.CudaDevice(1).Initialize()).Should().Throw<InvalidOperationException>().WithMessage("Device 'cuda:1' was requested*");
        FluentActions.Invoking(() => ComputeDevice.CudaDevice(1).TorchDevice).Should().Throw<InvalidOperationException>()
            .WithMessage("Device 'cuda:1' was requested*use the CPU*", "converting to a torch device initialises first");
    }

    [SkippableFact]
    public void Requesting_a_CUDA_index_beyond_the_GPUs_fails_clearly()
    {
        Skip.IfNot(ComputeDevice.IsCudaAvailable(), "No CUDA GPU here; the CPU-only behaviour is tested separately.");

        int count = torch.cuda.device_count();
        ComputeDevice.CudaDevice(0).Initialize().Should().Be(ComputeDevice.Cuda);
        ComputeDevice.Cuda.TorchDevice.type.Should().Be(DeviceType.CUDA);
        ComputeDevice.Cuda.TorchDevice.index.Should().Be(0);
        FluentActions.Invoking(() => ComputeDevice.CudaDevice(count).Initialize()).Should().Throw<InvalidOperationException>()
            .WithMessage($"*only {count} CUDA device(s) exist*");
    }

    [Fact]
    public void FromEnvironment_reads_SINGER_DEVICE_and_falls_back()
    {
        string? saved = Environment.GetEnvironmentVariable(ComputeDevice.EnvironmentVariable);
        try
        {
            Environment.SetEnvironmentVariable(ComputeDevice.EnvironmentVariable, "cuda:1");
            ComputeDevice.FromEnvironment().Should().Be(ComputeDevice.CudaDevice(1));

            Environment.SetEnvironmentVariable(ComputeDevice.EnvironmentVariable, null);
            ComputeDevice.FromEnvironment().Should().Be(ComputeDevice.Cpu);
            ComputeDevice.FromEnvironment("cuda:4").Should().Be(ComputeDevice.CudaDevice(4));

            Environment.SetEnvironmentVariable(ComputeDevice.EnvironmentVariable, "npu");
            FluentActions.Invoking(() => ComputeDevice.FromEnvironment()).Should().Throw<ArgumentException>().WithMessage("Device 'npu'*");
        }
        finally
        {
            Environment.SetEnvironmentVariable(ComputeDevice.EnvironmentVariable, saved);
        }

        ComputeDevice.EnvironmentVariable.Should().Be("SINGER_DEVICE");
    }
}
