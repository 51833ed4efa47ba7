"""The administrative tree: district (区/县) -> town-street (镇/街道/功能区) -> village or community (村/社区)."""
