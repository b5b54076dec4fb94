import pytest
from PIL import Image

import rewritelab as rl
from rewritelab import RewritelabError, pytensor_rewritten, render, render_diff, to_dot
from rewritelab.core.targets import load_target
from rewritelab.see.render import picture_graph


def test_picture_graph_keeps_ops_roots_and_outputs(simple_model):
    pic = picture_graph(simple_model)
    kinds = {d["kind"] for _, d in pic.nodes(data=True)}
    assert kinds == {"apply", "root", "output"}
    labels = {d["label"] for _, d in pic.nodes(data=True)}
    assert "mu\n(value)" in labels and "x\n(observed)" in labels


def test_dot_names_every_op(simple_model):
    text = to_dot(simple_model, title="m")
    assert text.startswith("digraph G {") and text.rstrip().endswith("}")
    assert "Check{sigma > 0}" in text and "->" in text


@pytest.mark.parametrize("suffix", [".png", ".svg"])
def test_render_writes_image_and_dot(tmp_path, simple_model, suffix):
    pic = render(simple_model, tmp_path / f"g{suffix}")
    assert pic.dot.read_text().startswith("digraph")
    assert pic.image.stat().st_size > 1000
    if suffix == ".png":
        w, h = Image.open(pic.image).size
        assert w > 400 and h > 200


def test_render_diff_highlights_removed_and_added(tmp_path, simple_model):
    after = pytensor_rewritten(simple_model)
    pic = render_diff(simple_model, after, tmp_path / "d.png")
    dot = pic.dot.read_text()
    assert "cluster_before" in dot and "cluster_after" in dot
    assert "#ff8c8c" in dot and "#7fdc7f" in dot
    assert pic.image.exists()


def test_a_rule_diff_shows_the_changed_region_with_its_rule(tmp_path):
    """One firing in eight_schools' 152-node logp + gradient: the picture
    shows the change and a little context, names the rule, and stays
    within ~4,000 px on the long side."""
    result = rl.apply(
        load_target("eight_schools"),
        rl.pattern("log1p(x) -> log(1 + x)", name="log1p_as_log"),
        graph="logp+grad",
    )
    pic = render_diff(
        result.before, result.after, tmp_path / "d.png", changes=result.diff
    )
    dot = pic.dot.read_text()
    boxes = dot.count("shape=box")
    assert 3 <= boxes < 40  # the 152 + 153 Apply nodes are not all drawn
    assert "[log1p_as_log]" in dot and "#ffd27f" in dot  # blame, rewired
    assert "removed 1" in dot and "added 2" in dot
    assert max(Image.open(pic.image).size) <= 4000


def test_render_rejects_unknown_format(tmp_path, vec):
    with pytest.raises(RewritelabError, match="must end in one of .svg"):
        render(vec + 1, tmp_path / "g.jpeg")
