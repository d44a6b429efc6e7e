"""The JSON Schema of the profile format, generated from the models."""

import json

from generator.models import Profile


def profile_schema() -> str:
    return json.dumps(Profile.model_json_schema(), indent=2, ensure_ascii=False) + "\n"
