using System.Text.Json;
using Singer.Recommendation.Core;

namespace Singer.Recommendation.Cli.Tests;

/// <summary>One small MMRec folder and one model trained on it by <c>singer train --json</c>, shared by the tests.</summary>
public sealed class TrainedCliModel : IDisposable
{
    public static readonly SyntheticDataOptions Options = new()
    {
        Users = 150,
        Items = 100,
        Interactions = 2_500,
        Clusters = 5,
        ImageDimension = 16,
        TextDimension = 8,
        Seed = 3,
    };

    public TrainedCliModel()
    {
        Folder = new MmrecFolder(Options);
        ModelPath = System.IO.Path.Combine(Folder.Path, "model.singer");
        PlotPath = System.IO.Path.Combine(Folder.Path, "curve.png");
        Train = CliRunner.Run("train", "--data", Folder.Path, "--epochs", "2", "--embedding-size", "16", "--batch-size", "512",
            "--k", "5", "--coint-k", "5", "--seed", "11", "--out", ModelPath, "--plot", PlotPath, "--json");
        Json = Train.ExitCode == 0 ? JsonDocument.Parse(Train.Stdout) : null;
    }

    public MmrecFolder Folder { get; }

    public string ModelPath { get; }

    public string PlotPath { get; }

    public CliResult Train { get; }

    public JsonDocument? Json { get; }

    public void Dispose()
    {
        Json?.Dispose();
        Folder.Dispose();
    }
}
