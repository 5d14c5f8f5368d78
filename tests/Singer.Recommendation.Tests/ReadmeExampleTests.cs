using System.Text.RegularExpressions;

namespace Singer.Recommendation.Tests;

/// <summary>
/// The README's C# example compiles with the README's <c>using</c> lines and nothing else (it is
/// <c>ReadmeExample.cs</c>, whose namespace is outside <c>Singer.Recommendation</c>), and the README shows exactly this code.
/// </summary>
public sealed partial class ReadmeExampleTests
{
    [Fact]
    public void The_readme_shows_the_compiled_example()
    {
        string source = File.ReadAllText(Path.Combine(RepositoryRoot(), "tests", "Singer.Recommendation.Tests", "ReadmeExample.cs"));
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

        UsingLine().Matches(source).Select(m => m.Value).Should().BeEquivalentTo(
            UsingLine().Matches(shown).Select(m => m.Value), "the compiled file has exactly the README's using lines");
        UsingLine().Matches(shown).Select(m => m.Value.Trim()).Should().Equal(
            ["using Singer.Recommendation;"], "one using is enough for the whole README example (issue 11)");
    }

    [Fact]
    public void The_readme_example_spells_out_the_defaults()
    {
        // The README says "every value above is the default": each number it writes must be the builder's default,
        // and each default it names must be written, so the example cannot drift when a default changes.
        var d = new SingerModelBuilder().ResolveOptions();
        var defaults = new Dictionary<string, double>
        {
            ["UseSemanticGraph.k"] = d.Graph.Knn.K,
            ["UseSemanticGraph.coInteractionK"] = d.Graph.CoInteractionK,
            ["UseSemanticGraph.beta"] = d.Graph.Beta,
            ["UseBehaviorEncoder.layers"] = d.Behavior.Layers,
            ["UseSemanticEncoder.layers"] = d.Semantic.Layers,
            ["UsePerturbation.epsilon"] = d.Perturbation.Epsilon,
            ["UsePerturbation.weight"] = d.Perturbation.Weight,
            ["UseAlignment.anchorWeight"] = d.Alignment.AnchorWeight,
            ["UseAlignment.standardWeight"] = d.Alignment.StandardWeight,
            ["UseAlignment.temperature"] = d.Alignment.Temperature,
            ["LearningRate"] = d.Training.LearningRate,
            ["BatchSize"] = d.Training.BatchSize,
            ["MaxEpochs"] = d.Training.MaxEpochs,
            ["Patience"] = d.Training.Patience,
            ["L2Weight"] = d.Training.L2Weight,
            ["NegativeCandidates"] = d.Training.NegativeCandidates,
            ["WithSeed"] = d.Seed,
        };
        string readme = CSharpBlock().Match(File.ReadAllText(Path.Combine(RepositoryRoot(), "README.md"))).Groups[1].Value;
        var written = new Dictionary<string, double>();
        foreach (Match call in Call().Matches(readme))
        {
            string method = call.Groups[1].Value, args = call.Groups[2].Value;
            foreach (Match named in NamedArgument().Matches(args))
            {
                written[$"{method}.{named.Groups[1].Value}"] = double.Parse(named.Groups[2].Value, System.Globalization.CultureInfo.InvariantCulture);
            }

            if (!args.Contains(':', StringComparison.Ordinal) && Number().Match(args) is { Success: true } n)
            {
                written[method] = double.Parse(n.Value, System.Globalization.CultureInfo.InvariantCulture);
            }
        }

        written.Keys.Should().BeEquivalentTo(defaults.Keys, "the README example writes out exactly these settings");
        foreach (var (key, value) in written)
        {
            value.Should().BeApproximately(defaults[key], 1e-9 + Math.Abs(defaults[key]) * 1e-6, $"the README writes {key} = {value}, which must be the default");
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

    [GeneratedRegex(@"\.(\w+)\(([^()]*)\)")]
    private static partial Regex Call();

    [GeneratedRegex(@"(\w+):\s*(-?[0-9][0-9.eE+-]*)f?")]
    private static partial Regex NamedArgument();

    [GeneratedRegex(@"^-?[0-9][0-9.eE+-]*")]
    private static partial Regex Number();

    [GeneratedRegex("using [A-Za-z.]+;")]
    private static partial Regex UsingLine();
}
