namespace Singer.Recommendation;

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
