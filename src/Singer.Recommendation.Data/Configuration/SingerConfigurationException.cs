namespace Singer.Recommendation;

/// <summary>
/// The configuration of a model has one or more problems; <see cref="Problems"/> lists every one of them, each
/// naming the option and the allowed range, so that all can be fixed at once.
/// </summary>
public sealed class SingerConfigurationException : ArgumentException
{
    /// <summary>Creates the exception from the list of problems (at least one) of a model's configuration.</summary>
    public SingerConfigurationException(IReadOnlyList<OptionProblem> problems)
        : this("model configuration", problems)
    {
    }

    /// <summary>
    /// Creates the exception from the list of problems (at least one) of <paramref name="subject"/>, for example
    /// <c>TextEncoderOptions</c>.
    /// </summary>
    public SingerConfigurationException(string subject, IReadOnlyList<OptionProblem> problems)
        : base(Compose(subject, problems))
    {
        Problems = problems;
    }

    /// <summary>Every problem found.</summary>
    public IReadOnlyList<OptionProblem> Problems { get; }

    private static string Compose(string subject, IReadOnlyList<OptionProblem> problems)
    {
        ArgumentNullException.ThrowIfNull(problems);
        return $"The {subject} has {problems.Count} problem{(problems.Count == 1 ? "" : "s")}:" + Environment.NewLine
            + string.Join(Environment.NewLine, problems.Select(p => "  - " + p));
    }
}
