using System.Text.RegularExpressions;
using Singer.Recommendation;
using Singer.Recommendation.Core;
using Singer.Recommendation.Encoders;
using Singer.Recommendation.Graphs;
using Singer.Recommendation.Losses;
using Singer.Recommendation.Perturbation;

namespace Singer.Recommendation.Tests;

/// <summary>The README's C# example compiles (it is <see cref="Example"/>) and the README shows exactly this code.</summary>
public sealed partial class ReadmeExampleTests
{
    // README example: begin
    private static TrainingReport Example()
    {
        InteractionDataset dataset = SyntheticDataGenerator.Generate();   // or MmrecDatasetLoader.Load("data/ml100k")

        using SingerModel model = new SingerModelBuilder()
            .WithDataset(dataset)
            .UseSemanticGraph(k: 10, coInteractionK: 10, beta: 0.3f)
            .UseBehaviorEncoder(layers: 2)
            .UseSemanticEncoder(layers: 1)
            .UsePerturbation(epsilon: 0.1f)
            .UseAlignment(anchor: 0.1f, standard: 0.1f)
            .WithTraining(t => t.LearningRate(1e-3).BatchSize(2048).MaxEpochs(1000).Patience(20))
            .OnDevice(ComputeDevice.Cpu)
            .WithSeed(42)
            .Build();

        TrainingReport report = model.Fit();
        Console.WriteLine(report.Test);   // Recall, NDCG, Precision, MAP, HitRate at 5, 10, 20, 50
        return report;
    }
    // README example: end

    [Fact]
    public void The_readme_shows_the_compiled_example()
    {
        string source = File.ReadAllText(Path.Combine(RepositoryRoot(), "tests", "Singer.Recommendation.Tests", "ReadmeExampleTests.cs"));
        int begin = source.IndexOf('{', source.IndexOf("// README example: begin", StringComparison.Ordinal)) + 1;
        int end = source.IndexOf("        return report;", begin, StringComparison.Ordinal);
        string body = Normalize(source[begin..end]);

        string readme = File.ReadAllText(Path.Combine(RepositoryRoot(), "README.md"));
        var block = CSharpBlock().Match(readme);
        block.Success.Should().BeTrue("the README has a ```csharp block");
        string shown = Normalize(block.Groups[1].Value);
        shown.Should().Contain(body, "the README's example must be the code that this test compiles");
        foreach (Match line in UsingLine().Matches(shown))
        {
            source.Should().Contain(line.Value, "every using of the README example is in the compiled file");
        }
    }

    private static string Normalize(string code) =>
        string.Join("\n", code.Split('\n').Select(l => l.Trim()).Where(l => l.Length > 0));

    // Not [CallerFilePath]: CI builds (ContinuousIntegrationBuild) map source paths to "/_/". The test runs from
    // tests/<project>/bin/<configuration>/<framework>/, so the repository is the first folder above it with the solution.
    private static string RepositoryRoot()
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
        {
            if (File.Exists(Path.Combine(dir.FullName, "Singer.Recommendation.sln")))
            {
                return dir.FullName;
            }
        }

        throw new InvalidOperationException($"No Singer.Recommendation.sln above {AppContext.BaseDirectory}.");
    }

    [GeneratedRegex("```csharp\\n(.*?)```", RegexOptions.Singleline)]
    private static partial Regex CSharpBlock();

    [GeneratedRegex("using [A-Za-z.]+;")]
    private static partial Regex UsingLine();
}
