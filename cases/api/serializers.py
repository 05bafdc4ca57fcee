from rest_framework import serializers

from cases.models import Case


class CaseSerializer(serializers.ModelSerializer):
    class Meta:
        model = Case
        fields = [
            "id",
            "case_number",
            "status",
            "agency",
            "owner",
            "location",
            "restricted",
            "created_at",
            "updated_at",
        ]
        read_only_fields = fields
