package io.messagingkit.core;

import static com.tngtech.archunit.lang.syntax.ArchRuleDefinition.classes;
import static com.tngtech.archunit.lang.syntax.ArchRuleDefinition.noClasses;

import com.tngtech.archunit.core.domain.JavaClasses;
import com.tngtech.archunit.core.importer.ClassFileImporter;
import com.tngtech.archunit.core.importer.ImportOption;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

class ArchitectureTest {

  private static final JavaClasses CORE =
      new ClassFileImporter()
          .withImportOption(ImportOption.Predefined.DO_NOT_INCLUDE_TESTS)
          .importPackages("io.messagingkit.core");

  @Test
  @DisplayName("core depends on no adapter and no library beyond JSpecify, SLF4J and Micrometer")
  void coreDependsOnNoAdapter() {
    classes()
        .should()
        .onlyDependOnClassesThat()
        .resideInAnyPackage(
            "java..",
            "javax.crypto..", // the JDK's crypto API, for MediaCrypto and URL signing
            "io.messagingkit.core..",
            "org.jspecify..",
            "org.slf4j..",
            "io.micrometer..")
        .check(CORE);
  }

  @Test
  @DisplayName("only JDK types and core records cross a port")
  void portsUseOnlyJdkAndCoreTypes() {
    classes()
        .that()
        .resideInAPackage("io.messagingkit.core.port")
        .should()
        .onlyDependOnClassesThat()
        .resideInAnyPackage("java..", "io.messagingkit.core..", "org.jspecify..")
        .check(CORE);
  }

  @Test
  @DisplayName("ports do not know the services or the in-memory adapters")
  void portsDoNotDependOnImplementations() {
    noClasses()
        .that()
        .resideInAPackage("io.messagingkit.core.port")
        .should()
        .dependOnClassesThat()
        .resideInAPackage("io.messagingkit.core.memory")
        .check(CORE);
  }
}
