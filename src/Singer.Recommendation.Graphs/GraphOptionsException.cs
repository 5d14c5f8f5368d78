using Singer.Recommendation.Core;

namespace Singer.Recommendation.Graphs;

/// <summary>
/// Graph options (or their combination with the data) are invalid. <see cref="Problems"/> lists every problem
/// found, each naming the option (<see cref="OptionProblem.Option"/>, for example <c>SemanticGraphOptions.Knn.K</c>) and its
/// allowed range, so all of them can be fixed at once.
/// </summary>
public sealed class GraphOptionsException : ArgumentException
{
    /// <summary>Creates the exception from one or more problems of the options (or arguments) named <paramref name="optionsName"/>.</summary>
    public GraphOptionsException(string optionsName, IReadOnlyList<OptionProblem> problems)
        : base(Compose(optionsName, problems), optionsName)
    {
        ArgumentNullException.ThrowIfNull(problems);
        Problems = problems;
    }

    /// <summary>Creates the exception with one problem.</summary>
    public GraphOptionsException(string message)
        : base(message)
    {
        Problems = [new OptionProblem("", message)];
    }

    /// <summary>Creates the exception with one problem and an inner exception.</summary>
    public GraphOptionsException(string message, Exception innerException)
        : base(message, innerException)
    {
        Problems = [new OptionProblem("", message)];
    }

    /// <summary>Creates the exception with no details.</summary>
    public GraphOptionsException()
        : this("The graph options are invalid.")
    {
    }

    /// <summary>Every problem found: the option it concerns and what is wrong with it.</summary>
    public IReadOnlyList<OptionProblem> Problems { get; }

    private static string Compose(string optionsName, IReadOnlyList<OptionProblem> problems) =>
        problems is null || problems.Count == 0
            ? $"{optionsName} are invalid."
            : problems.Count == 1
                ? problems[0].ToString()
                : $"{optionsName} have {problems.Count} problems:{Environment.NewLine}  - {string.Join(Environment.NewLine + "  - ", problems)}";
}

/// <summary>
/// Collects validation problems, each naming its option, and throws them together (as
/// <c>ValidateOptionsResultBuilder</c> does): the graph side of the library's one validation mechanism,
/// <see cref="OptionProblem"/>.
/// </summary>
internal sealed class ProblemList
{
    private readonly List<OptionProblem> _problems = [];

    public int Count => _problems.Count;

    public IReadOnlyList<OptionProblem> Problems => _problems;

    public void Add(string option, string message) => _problems.Add(new OptionProblem(option, message));

    public void AddIf(bool condition, string option, string message)
    {
        if (condition)
        {
            _problems.Add(new OptionProblem(option, message));
        }
    }

    public void ThrowIfAny(string optionsName)
    {
        if (_problems.Count > 0)
        {
            throw new GraphOptionsException(optionsName, _problems.ToArray());
        }
    }
}
