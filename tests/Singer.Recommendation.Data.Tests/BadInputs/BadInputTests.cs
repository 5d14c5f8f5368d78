using System.Text.RegularExpressions;
using Singer.Recommendation.Testing;

namespace Singer.Recommendation.Data.Tests.BadInputs;

/// <summary>
/// Every malformed input of <see cref="BadInputCorpus"/> raises its specific, documented exception type whose message
/// names the file and, where there is one, the line or row — and fails without a large allocation.
/// </summary>
public sealed partial class BadInputTests
{
    /// <summary>A malformed file must fail fast: well under what any declared shape or line count would need.</summary>
    private const long AllocationBudget = 16L << 20;

    public static TheoryData<string> CaseNames()
    {
        var data = new TheoryData<string>();
        foreach (string name in BadInputCorpus.Cases.Keys)
        {
            data.Add(name);
        }

        return data;
    }

    [Fact]
    public void The_corpus_is_large_and_its_names_are_unique()
    {
        BadInputCorpus.Cases.Count.Should().BeGreaterThanOrEqualTo(15);
        BadInputCorpus.Cases.Values.Select(c => c.Exception).Distinct().Should().HaveCountGreaterThanOrEqualTo(5);
    }

    [Theory]
    [MemberData(nameof(CaseNames))]
    public void Malformed_input_raises_its_documented_exception_naming_the_file_and_place(string name)
    {
        var c = BadInputCorpus.Cases[name];
        using var dir = new Helpers.TempFolder();
        var act = c.Arrange(dir);

        long before = GC.GetAllocatedBytesForCurrentThread();
        Exception? caught = null;
        try
        {
            act();
        }
        catch (Exception e)
        {
            caught = e;
        }

        long allocated = GC.GetAllocatedBytesForCurrentThread() - before;

        caught.Should().NotBeNull($"case {name} must fail");
        caught.Should().BeOfType(c.Exception, $"case {name}: {caught!.Message}");
        caught.Message.Should().Contain(c.File, "the message names the file").And.Contain(c.Fragment);
        allocated.Should().BeLessThan(AllocationBudget, "a malformed input fails before allocating what its header or size claims");

        if (caught is NpyFormatException npy)
        {
            npy.Row.Should().Be(c.Row);
            npy.Line.Should().BeNull();
            npy.FilePath.Should().EndWith(c.File);
            if (c.Row is { } row)
            {
                npy.Message.Should().Contain($"{c.File}: row {row}: ");
            }
        }
        else if (caught is DataFormatException data)
        {
            c.Row.Should().BeNull("a text file reports lines");
            data.Line.Should().Be(c.Line);
            data.FilePath.Should().EndWith(c.File);
            data.Problem.Should().Contain(c.Fragment);
            data.Message.Should().StartWith(c.Line is { } line ? $"Line {line} of {data.FilePath}: " : $"{data.FilePath}: ");
        }
        else
        {
            (c.Line, c.Row).Should().Be(((long?)null, (long?)null), "only format exceptions carry a location");
        }
    }

    [Fact]
    public void Duplicate_rows_load_once_with_KeepFirst()
    {
        using var dir = new Helpers.TempFolder();
        dir.WriteText("ds.inter", "userID\titemID\trating\ttimestamp\tx_label\n0\t1\t5\t0\t0\n1\t1\t5\t0\t0\n0\t1\t4\t9\t2\n");
        string csv = dir.WriteText("log.csv", "user,item\nu1,i1\nu2,i1\nu1,i1\n");

        var mmrec = MmrecDatasetLoader.Load(dir.Path, new MmrecLoadOptions { Duplicates = DuplicateInteractionPolicy.KeepFirst });
        var delimited = DelimitedDatasetLoader.Load(csv, new DelimitedLoadOptions { Duplicates = DuplicateInteractionPolicy.KeepFirst });

        (mmrec.Train.Count, mmrec.Test.Count).Should().Be((2, 0), "the first occurrence (train) is kept, the later test line dropped");
        (delimited.Train.Count + delimited.Validation.Count + delimited.Test.Count).Should().Be(2);
    }

    [Fact]
    public void Inconsistent_loader_options_are_an_argument_error()
    {
        using var dir = new Helpers.TempFolder();
        string csv = dir.WriteText("log.csv", "user,item\nu1,i1\n");

        var act = () => DelimitedDatasetLoader.Load(csv, new DelimitedLoadOptions { MinRating = 3 });

        act.Should().Throw<ArgumentException>().WithMessage("MinRating needs RatingColumn*").Which.ParamName.Should().Be("options");
    }

    [Fact]
    public void Docs_errors_md_lists_every_case()
    {
        string doc = Repository.ReadText("docs/errors.md");
        var listed = CaseName().Matches(doc).Select(m => m.Groups[1].Value).ToHashSet(StringComparer.Ordinal);
        BadInputCorpus.Cases.Keys.Where(n => !listed.Contains(n)).Should().BeEmpty("docs/errors.md lists every corpus case by name");
    }

    [GeneratedRegex("`([a-zA-Z0-9]+(?:-[a-zA-Z0-9]+)+)`")]
    private static partial Regex CaseName();
}
