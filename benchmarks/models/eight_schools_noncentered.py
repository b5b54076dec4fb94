"""Eight schools, non-centered: the model bundled as ``eight_schools``, in the zoo."""

from rewritelab.core.targets import load_target

model = load_target("eight_schools").model
