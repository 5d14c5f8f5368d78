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
