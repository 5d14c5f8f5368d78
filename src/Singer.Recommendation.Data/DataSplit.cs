namespace Singer.Recommendation;

/// <summary>The three parts of a recommendation data set. The numeric values are MMRec's <c>x_label</c> codes.</summary>
public enum DataSplit
{
    /// <summary>Training interactions (<c>x_label</c> 0): the only ones that enter a graph or a loss.</summary>
    Train = 0,

    /// <summary>Validation interactions (<c>x_label</c> 1): used for early stopping and hyper-parameter choice.</summary>
    Validation = 1,

    /// <summary>Test interactions (<c>x_label</c> 2): reported at the best-validation epoch, never used for choices.</summary>
    Test = 2,
}
