namespace Singer.Recommendation.Encoders;

/// <summary>
/// The default of every encoder option, in one place: the options records read them from here, and the XML docs quote
/// them (SPEC §2). Internal, so that callers' builds do not bake them in.
/// </summary>
internal static class Defaults
{
    public const int BehaviorLayers = 2;
    public const int SemanticLayers = 2;
    public const SemanticInput Input = SemanticInput.Features;
    public const LayerCombination Combination = LayerCombination.Mean;
    public const SemanticIdTable IdTable = SemanticIdTable.Shared;
    public const ColdItemPolicy ColdItems = ColdItemPolicy.SemanticOnly;
}
