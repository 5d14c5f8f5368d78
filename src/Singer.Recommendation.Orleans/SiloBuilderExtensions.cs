using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Singer.Recommendation.Orleans;

namespace Orleans.Hosting;

/// <summary>Registers the Singer.Recommendation work items on an Orleans silo.</summary>
public static class SingerSiloBuilderExtensions
{
    /// <summary>
    /// Lets this silo run the work items of <see cref="OrleansSemanticGraph"/> and <see cref="OrleansTopK"/> (the worker grain is
    /// found in this package by Orleans' assembly scanning; this adds its options, the cache of feature slices and the work-item threads). The silo needs a TorchSharp CPU
    /// backend (for example <c>libtorch-cpu-linux-x64</c>) for the kernel.
    /// </summary>
    /// <param name="builder">The silo builder.</param>
    /// <param name="configure">Sets <see cref="SingerWorkerOptions"/>, for example the shared volume's mount point as <see cref="SingerWorkerOptions.FeatureRoot"/>.</param>
    public static ISiloBuilder AddSingerRecommendationWorkers(this ISiloBuilder builder, Action<SingerWorkerOptions>? configure = null)
    {
        ArgumentNullException.ThrowIfNull(builder);
        var options = builder.Services.AddOptions<SingerWorkerOptions>();
        if (configure is not null)
        {
            options.Configure(configure);
        }

        builder.Services.TryAddSingleton<FeatureSliceCache>();
        builder.Services.TryAddSingleton<WorkItemThreads>();

        return builder;
    }
}
