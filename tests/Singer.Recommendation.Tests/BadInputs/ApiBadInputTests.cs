using System.Text.RegularExpressions;
using Singer.Recommendation.Testing;

namespace Singer.Recommendation.Tests.BadInputs;

/// <summary>
/// Every bad call of <see cref="ApiBadInputCatalogue"/> raises its specific, documented exception type with a message
/// that says what is wrong, and <c>docs/errors.md</c> lists every case.
/// </summary>
public sealed partial class ApiBadInputTests(TrainedSmallModel trained) : IClassFixture<TrainedSmallModel>
{
    public static TheoryData<string> CaseNames()
    {
        var data = new TheoryData<string>();
        foreach (string name in ApiBadInputCatalogue.Cases.Keys)
        {
            data.Add(name);
        }

        return data;
    }

    [Fact]
    public void The_catalogue_covers_every_entry_point()
    {
        var names = ApiBadInputCatalogue.Cases.Keys.ToArray();
        names.Length.Should().BeGreaterThanOrEqualTo(40);
        foreach (string area in new[] { "builder-", "engine-", "model-", "checkpoint-", "training-" })
        {
            names.Should().Contain(n => n.StartsWith(area, StringComparison.Ordinal), $"the catalogue has {area}* cases");
        }
    }

    [Theory]
    [MemberData(nameof(CaseNames))]
    public void Bad_input_raises_its_documented_exception(string name)
    {
        var c = ApiBadInputCatalogue.Cases[name];
        using var context = new BadInputContext(trained.Model);
        var act = c.Arrange(context);

        var caught = FluentActions.Invoking(act).Should().Throw<Exception>().Which;

        caught.Should().BeOfType(c.Exception, $"case {name}: {caught.Message}");
        caught.Message.Should().Contain(c.Fragment);
        if (caught is ModelFileException file)
        {
            file.Message.Should().Contain(context.Folder, "a model-file error names the file");
        }
    }

    [Fact]
    public void Docs_errors_md_lists_every_case()
    {
        string doc = Repository.ReadText("docs/errors.md");
        var listed = CaseName().Matches(doc).Select(m => m.Groups[1].Value).ToHashSet(StringComparer.Ordinal);
        ApiBadInputCatalogue.Cases.Keys.Where(n => !listed.Contains(n)).Should().BeEmpty("docs/errors.md lists every catalogue case by name");
    }

    [GeneratedRegex("`([a-zA-Z0-9]+(?:-[a-zA-Z0-9]+)+)`")]
    private static partial Regex CaseName();
}
