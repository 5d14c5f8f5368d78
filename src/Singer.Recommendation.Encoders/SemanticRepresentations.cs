using static TorchSharp.torch;

namespace Singer.Recommendation.Encoders;

/// <summary>The semantic branch's output for the requested rows: per modality and fused.</summary>
/// <param name="ModalityUsers">Per modality <c>s^m_u</c> for the requested users.</param>
/// <param name="ModalityItems">Per modality <c>H^m_i</c> for the requested items.</param>
/// <param name="Users">Fused <c>s_u = Σ_m w_m s^m_u</c>.</param>
/// <param name="Items">Fused <c>s_i = Σ_m w_m H^m_i</c>.</param>
public sealed record SemanticRepresentations(IReadOnlyList<Tensor> ModalityUsers, IReadOnlyList<Tensor> ModalityItems, Tensor Users, Tensor Items);
