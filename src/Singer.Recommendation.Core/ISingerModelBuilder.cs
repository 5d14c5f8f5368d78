namespace Singer.Recommendation.Core;

/// <summary>
/// The component registry behind the fluent model builder. Each assembly of the library contributes its part
/// through extension methods on this interface (<c>UseSemanticGraph</c> in Graphs, <c>UseBehaviorEncoder</c> in
/// Encoders, …) that store an immutable options record; the builder in <c>Singer.Recommendation</c> reads them all
/// in <c>Build()</c>, validates them together and composes the model.
/// </summary>
/// <remarks>
/// This is plumbing for extension authors: <c>SingerModelBuilder</c> implements it explicitly, so its members do not
/// appear on the fluent surface. An extension edits the current options and never resets what it does not name:
/// <c>builder.SetComponent((builder.GetComponent&lt;MyOptions&gt;() ?? new()) with { … })</c>.
/// </remarks>
public interface ISingerModelBuilder
{
    /// <summary>Stores the options of one component, replacing earlier options of the same type.</summary>
    /// <typeparam name="TOptions">The component's options record type.</typeparam>
    void SetComponent<TOptions>(TOptions options)
        where TOptions : class;

    /// <summary>The options of a component, or null when none were set (the component's defaults then apply).</summary>
    /// <typeparam name="TOptions">The component's options record type.</typeparam>
    TOptions? GetComponent<TOptions>()
        where TOptions : class;
}

/// <summary>
/// One configuration problem found by a <c>Validate</c> method: the option's name (as in code) and what is wrong,
/// including the allowed range.
/// </summary>
/// <param name="Option">The option, for example <c>SemanticGraphOptions.Beta</c>.</param>
/// <param name="Message">What is wrong and what is allowed.</param>
public sealed record OptionProblem(string Option, string Message)
{
    /// <inheritdoc />
    public override string ToString() => $"{Option}: {Message}";
}

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
