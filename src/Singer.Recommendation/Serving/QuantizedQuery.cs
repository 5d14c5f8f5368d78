namespace Singer.Recommendation.Serving;

/// <summary>A query quantised for <see cref="Int8Items"/>.</summary>
/// <param name="Groups">Per group of 4 dimensions, the 4 unsigned bytes <c>q̃ + 128</c>.</param>
/// <param name="Scale">The query's scale <c>s_q</c>.</param>
/// <param name="L1">‖q̃‖₁.</param>
internal readonly record struct QuantizedQuery(uint[] Groups, float Scale, int L1);
