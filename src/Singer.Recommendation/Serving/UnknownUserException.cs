using Singer.Recommendation.Core;
using Singer.Recommendation.Serving;
using TorchSharp;
using static TorchSharp.torch;

namespace Singer.Recommendation;

/// <summary>The user id is not known to the engine (and the policy is <see cref="UnknownUserPolicy.Throw"/>).</summary>
public sealed class UnknownUserException : KeyNotFoundException
{
    /// <summary>Creates the exception for <paramref name="userId"/>.</summary>
    public UnknownUserException(string userId)
        : base($"User '{userId}' is not known to the model: the id does not exist or had no training interactions. Create the engine with UnknownUserPolicy.MostPopular for a popularity fallback.")
    {
        UserId = userId;
    }

    /// <summary>The unknown id.</summary>
    public string UserId { get; }
}
