using System.Text.Json;
using Singer.Recommendation.Core;
using Singer.Recommendation.Testing;

namespace Singer.Recommendation.Cli.Tests;

/// <summary>
/// Data folder problems as a command-line user meets them: the message names the command-line option that fixes
/// them (<c>--name</c>), never a library option the user cannot set, and a folder where a file belongs is named.
/// </summary>
public sealed class DataFolderTests : IDisposable
{
    private static readonly SyntheticDataOptions Small = new()
    {
        Users = 40,
        Items = 30,
        Interactions = 500,
        Clusters = 3,
        ImageDimension = 4,
        TextDimension = 3,
        Seed = 5,
    };

    private readonly MmrecFolder _folder = new(Small, "a");

    private string Data => _folder.Path;

    public void Dispose() => _folder.Dispose();

    [Theory]
    [InlineData("train", "--out", "never.singer")]
    [InlineData("graph")]
    [InlineData("evaluate", "--model", "absent.singer")]
    public void Two_inter_files_without_name_exit_with_2_and_name_the_option(params string[] rest)
    {
        AddSecondDataSet();

        var result = CliRunner.Run([rest[0], "--data", Data, .. rest[1..]]);

        result.ExitCode.Should().Be(ExitCodes.Usage, result.Stderr);
        result.Stdout.Should().BeEmpty();
        result.Stderr.Should().StartWith("singer: ")
            .And.Contain("2 data sets (a.inter, b.inter)")
            .And.Contain("--name <NAME>")
            .And.NotContain("MmrecLoadOptions");
    }

    [Fact]
    public void Name_picks_the_named_inter_file()
    {
        AddSecondDataSet();

        foreach (string name in new[] { "a", "b", "b.inter" })
        {
            var result = CliRunner.Run("graph", "--data", Data, "--name", name, "-k", "3", "--coint-k", "3", "--json");
            result.ExitCode.Should().Be(0, result.Stderr);
            using var json = JsonDocument.Parse(result.Stdout);
            json.RootElement.GetProperty("dataset").GetString().Should().Be(name[..1], $"--name {name} loads {name[..1]}.inter");
        }
    }

    [Fact]
    public void A_name_the_folder_does_not_hold_lists_the_data_sets_and_exits_with_2()
    {
        AddSecondDataSet();

        var result = CliRunner.Run("graph", "--data", Data, "--name", "c");

        result.ExitCode.Should().Be(ExitCodes.Usage, result.Stderr);
        result.Stderr.Should().Contain("--name c").And.Contain("no c.inter").And.Contain("a.inter, b.inter");
    }

    [Theory]
    [InlineData("")]
    [InlineData("sub/a")]
    public void A_name_that_is_not_a_data_set_name_is_bad_usage(string name)
    {
        var result = CliRunner.Run("graph", "--data", Data, "--name", name);

        result.ExitCode.Should().Be(ExitCodes.Usage, result.Stderr);
        result.Stderr.Should().StartWith("singer: --name");
    }

    [Fact]
    public void A_feature_file_that_is_a_folder_is_named_and_exits_with_3()
    {
        string folder = Path.Combine(Data, "audio_feat.npy");
        Directory.CreateDirectory(folder);

        var result = CliRunner.Run("graph", "--data", Data);

        result.ExitCode.Should().Be(ExitCodes.DataError, result.Stderr);
        result.Stderr.Should().StartWith($"singer: {folder}: a folder, not a file").And.NotContain("no modality");
    }

    [Theory]
    [InlineData("train", "--out", "never.singer")]
    [InlineData("graph")]
    [InlineData("evaluate", "--model", "absent.singer")]
    public void A_repeated_pair_names_both_lines_and_the_option_that_keeps_the_first(params string[] rest)
    {
        RepeatFirstInteraction();

        var result = CliRunner.Run([rest[0], "--data", Data, .. rest[1..]]);

        result.ExitCode.Should().Be(ExitCodes.DataError, result.Stderr);
        result.Stderr.Should().Contain("a.inter").And.Contain("repeats line 2")
            .And.Contain("--duplicates keep-first").And.NotContain("DuplicateInteractionPolicy");
    }

    [Fact]
    public void Duplicates_keep_first_loads_the_folder_with_the_repeat_dropped()
    {
        var before = CliRunner.Run("graph", "--data", Data, "-k", "3", "--coint-k", "3", "--json");
        RepeatFirstInteraction();

        var result = CliRunner.Run("graph", "--data", Data, "--duplicates", "keep-first", "-k", "3", "--coint-k", "3", "--json");

        before.ExitCode.Should().Be(0, before.Stderr);
        result.ExitCode.Should().Be(0, result.Stderr);
        result.Stdout.Should().Be(before.Stdout, "the repeated line is ignored, so the graph is the one of the folder without it");
    }

    [Fact]
    public void An_unknown_duplicates_policy_is_bad_usage()
    {
        var result = CliRunner.Run("graph", "--data", Data, "--duplicates", "sum");

        result.ExitCode.Should().Be(ExitCodes.Usage, result.Stderr);
        result.Stderr.Should().Contain("--duplicates must be reject or keep-first; got 'sum'");
    }

    [Fact]
    public void Ids_that_are_not_contiguous_point_to_what_a_command_line_user_can_do()
    {
        string inter = Path.Combine(Data, "a.inter");
        File.AppendAllText(inter, "99999999\t0\t5\t0\t0\n");

        var result = CliRunner.Run("graph", "--data", Data);

        result.ExitCode.Should().Be(ExitCodes.DataError, result.Stderr);
        result.Stderr.Should().Contain("userID 99999999").And.Contain("contiguous")
            .And.Contain("the command line reads MMRec folders only").And.NotContain("load the file with DelimitedDatasetLoader");
    }

    [Fact]
    public void Every_library_phrase_the_command_line_rewords_still_occurs_in_the_library()
    {
        // If a library message changes its advice, the CLI's rewording would silently stop applying: fail instead.
        string src = Path.Combine(Repository.Root, "src");
        string library = string.Concat(Directory.EnumerateFiles(src, "*.cs", SearchOption.AllDirectories)
            .Where(f => !f.Contains($"{Path.DirectorySeparatorChar}Singer.Recommendation.Cli{Path.DirectorySeparatorChar}", StringComparison.Ordinal)
                && !f.Contains($"{Path.DirectorySeparatorChar}obj{Path.DirectorySeparatorChar}", StringComparison.Ordinal))
            .Select(File.ReadAllText));

        CliApp.Hints.Should().NotBeEmpty();
        foreach (var (phrase, cli) in CliApp.Hints)
        {
            library.Should().Contain(phrase, "the CLI rewords it as \"{0}\"", cli);
            CliApp.InCliTerms($"x {phrase} y").Should().Be($"x {cli} y");
        }
    }

    /// <summary>Appends a copy of the first interaction line of <c>a.inter</c> (line 2, after the header).</summary>
    private void RepeatFirstInteraction()
    {
        string inter = Path.Combine(Data, "a.inter");
        var lines = File.ReadAllLines(inter);
        File.AppendAllText(inter, lines[1] + "\n");
    }

    /// <summary>Writes <c>b.inter</c>: the interactions of <c>a.inter</c> under another name (the feature files fit both).</summary>
    private void AddSecondDataSet() => File.Copy(Path.Combine(Data, "a.inter"), Path.Combine(Data, "b.inter"));
}
