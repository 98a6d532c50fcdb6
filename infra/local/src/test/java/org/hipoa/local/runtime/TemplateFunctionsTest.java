package org.hipoa.local.runtime;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import org.hipoa.local.runtime.FunctionDefinition.PackageType;
import org.hipoa.local.runtime.FunctionDefinition.TemplateValue;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** template.yaml's functions as Lambda would configure them, checked against the template's own text. */
class TemplateFunctionsTest {
    private static final Path TEMPLATE = Path.of("../../template.yaml");

    private static JsonNode plain() throws Exception {
        return new ObjectMapper(new YAMLFactory()).readTree(Files.readString(TEMPLATE));
    }

    @Test
    void zipFunction_hasTheTemplatesHandlerMemoryTimeoutAndGlobals() throws Exception {
        JsonNode props = plain().at("/Resources/ApiFunction/Properties");
        FunctionDefinition api = TemplateFunctions.load(TEMPLATE).function("ApiFunction");
        assertEquals(PackageType.ZIP, api.packageType());
        assertEquals(props.get("Handler").asText(), api.handler());
        assertEquals(props.get("MemorySize").asInt(), api.memoryMb());
        assertEquals(props.get("Timeout").asInt(), api.timeout().toSeconds());
        assertEquals(TEMPLATE.toAbsolutePath().getParent().resolve(props.get("CodeUri").asText()).normalize(),
                api.codeUri());
        String toolOptions = plain().at("/Globals/Function/Environment/Variables/JAVA_TOOL_OPTIONS").asText();
        assertEquals(new TemplateValue.Literal(toolOptions), api.environment().get("JAVA_TOOL_OPTIONS"));
        assertEquals(new TemplateValue.Literal("api"), api.environment().get("POWERTOOLS_SERVICE_NAME"));
        // !Ref ResultsTable from Globals: a value only a deployment knows, not the literal "ResultsTable".
        assertEquals(new TemplateValue.Intrinsic("Ref", "ResultsTable"), api.environment().get("TABLE_NAME"));
        assertTrue(api.intrinsicKeys().containsAll(List.of("STUDY_KEY_SECRET", "TABLE_NAME", "VIEWER_ORIGIN")),
                api.intrinsicKeys().toString());
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> api.environment(Map.of()));
        assertTrue(e.getMessage().contains("TABLE_NAME (!Ref ResultsTable)"), e.getMessage());
    }

    @Test
    void imageFunctions_takeTheirHandlerFromImageConfigElseTheDockerfilesCmd() throws Exception {
        TemplateFunctions t = TemplateFunctions.load(TEMPLATE);
        FunctionDefinition inference = t.function("InferenceFunction");
        assertEquals(PackageType.IMAGE, inference.packageType());
        assertEquals("org.hipoa.inference.InferenceHandler::handleRequest", inference.handler(),
                "the lambda stage's CMD, not the gpu stage's ENTRYPOINT");
        assertEquals(TEMPLATE.toAbsolutePath().getParent().resolve("functions/inference").normalize(),
                inference.imageContext());
        JsonNode deadLetter = plain().at("/Resources/DeadLetterFunction/Properties/ImageConfig/Command/0");
        assertEquals(deadLetter.asText(), t.function("DeadLetterFunction").handler());
    }

    @Test
    void globalsMergeKeyByKey_andLambdasRulesHold(@TempDir Path dir) throws Exception {
        Files.writeString(dir.resolve("Dockerfile"), """
                FROM eclipse-temurin:21 AS build
                CMD ["not.This::handleRequest"]
                FROM public.ecr.aws/lambda/java:21 AS lambda
                CMD ["com.example.Image::handleRequest"]
                FROM scratch AS other
                CMD java -jar x.jar
                """);
        Files.writeString(dir.resolve("template.yaml"), """
                Globals:
                  Function:
                    Timeout: 30
                    Environment:
                      Variables: {SHARED: global, OVERRIDDEN: global}
                Resources:
                  Zip:
                    Type: AWS::Serverless::Function
                    Properties:
                      Handler: com.example.Zip::handleRequest
                      CodeUri: build/zip.zip
                      Environment:
                        Variables: {OVERRIDDEN: !Sub "${AWS::Region}-x", OWN: own}
                  Image:
                    Type: AWS::Serverless::Function
                    Metadata: {Dockerfile: Dockerfile, DockerContext: ., DockerBuildTarget: lambda}
                    Properties: {PackageType: Image, MemorySize: 2048, ReservedConcurrentExecutions: 3}
                  ShellCmd:
                    Type: AWS::Serverless::Function
                    Metadata: {Dockerfile: Dockerfile, DockerContext: .}
                    Properties: {PackageType: Image}
                  Reserved:
                    Type: AWS::Serverless::Function
                    Properties:
                      Handler: a.B::c
                      CodeUri: x.zip
                      Environment: {Variables: {AWS_REGION: eu-west-1}}
                  NotAFunction:
                    Type: AWS::SQS::Queue
                """);
        TemplateFunctions t = TemplateFunctions.load(dir.resolve("template.yaml"));
        assertEquals(List.of("Zip", "Image", "ShellCmd", "Reserved"), t.names());
        FunctionDefinition zip = t.function("Zip");
        assertEquals(128, zip.memoryMb(), "Lambda's default memory");
        assertEquals(30, zip.timeout().toSeconds(), "Globals' timeout");
        assertEquals(new TemplateValue.Literal("global"), zip.environment().get("SHARED"));
        assertInstanceOf(TemplateValue.Intrinsic.class, zip.environment().get("OVERRIDDEN"), "the function's wins");
        assertEquals(Map.of("SHARED", "global", "OVERRIDDEN", "eu-central-1-x", "OWN", "own", "EXTRA", "e"),
                zip.environment(Map.of("OVERRIDDEN", "eu-central-1-x", "EXTRA", "e")));
        assertThrows(IllegalArgumentException.class, () -> zip.environment(Map.of("OVERRIDDEN", "x", "TZ", "UTC")),
                "a reserved key cannot be given either");

        FunctionDefinition image = t.function("Image");
        assertEquals("com.example.Image::handleRequest", image.handler(), "the build target's stage");
        assertEquals(2048, image.memoryMb());
        assertEquals(3, image.reservedConcurrency().orElseThrow());

        IllegalArgumentException shell = assertThrows(IllegalArgumentException.class, () -> t.function("ShellCmd"));
        assertTrue(shell.getMessage().contains("JSON form"), shell.getMessage());
        IllegalArgumentException reserved = assertThrows(IllegalArgumentException.class, () -> t.function("Reserved"));
        assertTrue(reserved.getMessage().contains("[AWS_REGION]"), reserved.getMessage());
        assertThrows(IllegalArgumentException.class, () -> t.function("NotAFunction"));
    }
}
