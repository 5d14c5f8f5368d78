using System.Net;
using System.Net.Http.Json;
using Microsoft.AspNetCore.Mvc;

namespace Singer.WebApi.Tests;

/// <summary>POST /items on its own service, so the other tests see a fixed catalogue.</summary>
public sealed class ColdStartTests(ServiceFixture service) : IClassFixture<ServiceFixture>
{
    private HttpClient Client => service.Client;

    private Dictionary<string, float[]> FeaturesOf(int item, float shift = 0f) => new()
    {
        ["image"] = service.Data.GetModality("image").Row(item).ToArray().Select(v => v + shift).ToArray(),
        ["text"] = service.Data.GetModality("text").Row(item).ToArray().Select(v => v + shift).ToArray(),
    };

    [Fact]
    public async Task New_items_are_served_at_once_and_appear_in_similar_items()
    {
        int before = (await Client.GetFromJsonAsync<HealthResponse>("/health"))!.Items;

        // Two new items with the same features get the same representation, so each is the other's nearest item.
        var request = new AddItemsRequest([new NewItem("new-a", FeaturesOf(10, 0.01f)), new NewItem("new-b", FeaturesOf(10, 0.01f))]);
        var response = await service.Writer.PostAsJsonAsync("/items", request);
        response.StatusCode.Should().Be(HttpStatusCode.Created);
        response.Headers.Location!.ToString().Should().Be("/items/new-a/similar");
        var added = await response.Content.ReadFromJsonAsync<AddItemsResponse>();
        added!.Added.Should().Equal("new-a", "new-b");
        added.ItemCount.Should().Be(before + 2);

        var similar = await Client.GetFromJsonAsync<SimilarItemsResponse>("/items/new-a/similar?k=5");
        similar!.Items.Should().HaveCount(5);
        similar.Items[0].ItemId.Should().Be("new-b");
        similar.Items[0].Score.Should().BeApproximately(1f, 1e-4f);

        var fromOld = await Client.GetFromJsonAsync<SimilarItemsResponse>("/items/new-b/similar?k=3");
        fromOld!.Items[0].ItemId.Should().Be("new-a");

        // The new items are ranked for users as well (with k = every item, they must be in the list).
        var all = await Client.GetFromJsonAsync<RecommendationsResponse>($"/users/u00001/recommendations?k={before + 2}&includeSeen=true");
        all!.Items.Select(i => i.ItemId).Should().Contain(["new-a", "new-b"]);
        (await Client.GetFromJsonAsync<HealthResponse>("/health"))!.Items.Should().Be(before + 2);
    }

    [Fact]
    public async Task Invalid_new_items_are_400_problems_and_change_nothing()
    {
        int before = (await Client.GetFromJsonAsync<HealthResponse>("/health"))!.Items;
        var shortText = FeaturesOf(3);
        shortText["text"] = shortText["text"][..5];
        var missing = FeaturesOf(3);
        missing.Remove("image");
        var extra = FeaturesOf(3);
        extra["audio"] = [1f, 2f];

        foreach (var (body, expected) in new (AddItemsRequest, string)[]
        {
            (new AddItemsRequest([new NewItem("bad-1", shortText)]), "has 5 numbers; the model was trained on 8"),
            (new AddItemsRequest([new NewItem("bad-2", missing)]), "no features for modality 'image'"),
            (new AddItemsRequest([new NewItem("bad-3", extra)]), "'audio'"),
            (new AddItemsRequest([new NewItem(null, FeaturesOf(3))]), "no \"id\""),
            (new AddItemsRequest([]), "at least one item"),
        })
        {
            var response = await service.Writer.PostAsJsonAsync("/items", body);
            response.StatusCode.Should().Be(HttpStatusCode.BadRequest);
            var problem = await response.Content.ReadFromJsonAsync<ProblemDetails>();
            problem!.Detail.Should().Contain(expected);
        }

        (await Client.GetFromJsonAsync<HealthResponse>("/health"))!.Items.Should().Be(before);
    }

    [Fact]
    public async Task An_existing_id_is_a_409_conflict()
    {
        var response = await service.Writer.PostAsJsonAsync("/items", new AddItemsRequest([new NewItem("i00001", FeaturesOf(1))]));
        response.StatusCode.Should().Be(HttpStatusCode.Conflict);
        var problem = await response.Content.ReadFromJsonAsync<ProblemDetails>();
        problem!.Detail.Should().Contain("already exists").And.NotContain("Parameter");
    }
}
