namespace Singer.Recommendation.Graphs;

/// <summary>
/// Graph options (or their combination with the data) are invalid. <see cref="Problems"/> lists every problem
/// found, each naming the option and its allowed range, so all of them can be fixed at once.
/// </summary>
public sealed class GraphOptionsException : ArgumentException
{
    /// <summary>Creates the exception from one or more problems.</summary>
    public GraphOptionsException(string optionsName, IReadOnlyList<string> problems)
        : base(Compose(optionsName, problems), optionsName)
    {
        ArgumentNullException.ThrowIfNull(problems);
        Problems = problems;
    }

    /// <summary>Creates the exception with one problem.</summary>
    public GraphOptionsException(string message)
        : base(message)
    {
        Problems = [message];
    }

    /// <summary>Creates the exception with one problem and an inner exception.</summary>
    public GraphOptionsException(string message, Exception innerException)
        : base(message, innerException)
    {
        Problems = [message];
    }

    /// <summary>Creates the exception with no details.</summary>
    public GraphOptionsException()
        : this("The graph options are invalid.")
    {
    }

    /// <summary>Every problem found, one sentence each.</summary>
    public IReadOnlyList<string> Problems { get; }

    private static string Compose(string optionsName, IReadOnlyList<string> problems) =>
        problems is null || problems.Count == 0
            ? $"{optionsName} are invalid."
            : problems.Count == 1
                ? $"{optionsName}: {problems[0]}"
                : $"{optionsName} have {problems.Count} problems:{Environment.NewLine} - {string.Join(Environment.NewLine + " - ", problems)}";
}

/// <summary>Collects validation problems and throws them together (as <c>ValidateOptionsResultBuilder</c> does).</summary>
internal sealed class ProblemList
{
    private readonly List<string> _problems = [];

    public int Count => _problems.Count;

    public void Add(string problem) => _problems.Add(problem);

    public void AddIf(bool condition, string problem)
    {
        if (condition)
        {
            _problems.Add(problem);
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
