<?xml version="1.0" encoding="UTF-8"?>
<!--
  Baseline for the benchmarks: the changes render makes to standalone-ha.xml
  (PostgreSQL datasource and driver, channel ee on TCP with JDBC_PING, cache
  owners) as an XSLT 1.0 transform, the way images of 2015 configured the
  server. Elements are matched by local name so that one stylesheet serves
  every schema version; new elements take the namespace of their parent.

  xsltproc -stringparam db_url URL -stringparam db_user U
           -stringparam db_password P -stringparam owners N
           -stringparam auth_owners N keycloak-ha.xsl standalone-ha.xml
-->
<xsl:stylesheet version="1.0" xmlns:xsl="http://www.w3.org/1999/XSL/Transform">
  <xsl:param name="db_url"/>
  <xsl:param name="db_user"/>
  <xsl:param name="db_password"/>
  <xsl:param name="owners" select="'2'"/>
  <xsl:param name="auth_owners" select="'2'"/>
  <xsl:variable name="jca" select="'org.jboss.jca.adapters.jdbc.extensions.postgres.'"/>
  <xsl:variable name="init_sql" select="'CREATE TABLE IF NOT EXISTS JGROUPSPING (own_addr varchar(200) NOT NULL, cluster_name varchar(200) NOT NULL, ping_data bytea, updated timestamptz NOT NULL DEFAULT now(), constraint PK_JGROUPSPING PRIMARY KEY (own_addr, cluster_name)); ALTER TABLE JGROUPSPING ADD COLUMN IF NOT EXISTS updated timestamptz NOT NULL DEFAULT now()'"/>
  <xsl:variable name="insert_sql">WITH written AS (INSERT INTO JGROUPSPING (own_addr, cluster_name, ping_data) VALUES (?, ?, ?) RETURNING cluster_name) DELETE FROM JGROUPSPING USING written WHERE JGROUPSPING.cluster_name = written.cluster_name AND now() - interval '10 seconds' > JGROUPSPING.updated</xsl:variable>
  <xsl:variable name="select_sql">SELECT ping_data, own_addr, cluster_name FROM JGROUPSPING WHERE cluster_name=? AND updated > now() - interval '10 seconds'</xsl:variable>

  <xsl:output method="xml" encoding="UTF-8"/>

  <xsl:template match="@*|node()">
    <xsl:copy><xsl:apply-templates select="@*|node()"/></xsl:copy>
  </xsl:template>

  <!-- new-element NAME TEXT: an element in the namespace of the context node. -->
  <xsl:template name="new-element">
    <xsl:param name="name"/>
    <xsl:param name="text"/>
    <xsl:element name="{$name}" namespace="{namespace-uri()}"><xsl:value-of select="$text"/></xsl:element>
  </xsl:template>

  <!-- The Keycloak datasource: PostgreSQL, pool, credentials, validation. -->
  <xsl:template match="*[local-name()='datasource'][@pool-name='KeycloakDS']">
    <xsl:variable name="ns" select="namespace-uri()"/>
    <xsl:copy>
      <xsl:apply-templates select="@*"/>
      <xsl:element name="connection-url" namespace="{$ns}"><xsl:value-of select="$db_url"/></xsl:element>
      <xsl:element name="driver" namespace="{$ns}">postgresql</xsl:element>
      <xsl:element name="pool" namespace="{$ns}">
        <xsl:element name="min-pool-size" namespace="{$ns}">0</xsl:element>
        <xsl:element name="max-pool-size" namespace="{$ns}">20</xsl:element>
        <xsl:element name="flush-strategy" namespace="{$ns}">IdleConnections</xsl:element>
      </xsl:element>
      <xsl:element name="security" namespace="{$ns}">
        <xsl:element name="user-name" namespace="{$ns}"><xsl:value-of select="$db_user"/></xsl:element>
        <xsl:element name="password" namespace="{$ns}"><xsl:value-of select="$db_password"/></xsl:element>
      </xsl:element>
      <xsl:element name="validation" namespace="{$ns}">
        <xsl:element name="valid-connection-checker" namespace="{$ns}">
          <xsl:attribute name="class-name"><xsl:value-of select="concat($jca, 'PostgreSQLValidConnectionChecker')"/></xsl:attribute>
        </xsl:element>
        <xsl:element name="validate-on-match" namespace="{$ns}">true</xsl:element>
        <xsl:element name="exception-sorter" namespace="{$ns}">
          <xsl:attribute name="class-name"><xsl:value-of select="concat($jca, 'PostgreSQLExceptionSorter')"/></xsl:attribute>
        </xsl:element>
      </xsl:element>
      <xsl:element name="timeout" namespace="{$ns}">
        <xsl:element name="allocation-retry" namespace="{$ns}">15</xsl:element>
        <xsl:element name="allocation-retry-wait-millis" namespace="{$ns}">1000</xsl:element>
      </xsl:element>
    </xsl:copy>
  </xsl:template>

  <!-- The PostgreSQL driver, after the ones already there. -->
  <xsl:template match="*[local-name()='drivers'][parent::*[local-name()='datasources']]">
    <xsl:variable name="ns" select="namespace-uri()"/>
    <xsl:copy>
      <xsl:apply-templates select="@*|node()"/>
      <xsl:element name="driver" namespace="{$ns}">
        <xsl:attribute name="name">postgresql</xsl:attribute>
        <xsl:attribute name="module">org.postgresql.jdbc</xsl:attribute>
        <xsl:element name="xa-datasource-class" namespace="{$ns}">org.postgresql.xa.PGXADataSource</xsl:element>
      </xsl:element>
    </xsl:copy>
  </xsl:template>

  <!-- Channel ee on the TCP stack. -->
  <xsl:template match="*[local-name()='channel'][@name='ee']/@stack">
    <xsl:attribute name="stack">tcp</xsl:attribute>
  </xsl:template>

  <!-- In the TCP stack, JDBC_PING on the Keycloak datasource instead of MPING. -->
  <xsl:template match="*[local-name()='stack'][@name='tcp']/*[@type='MPING']">
    <xsl:variable name="ns" select="namespace-uri()"/>
    <xsl:element name="jdbc-protocol" namespace="{$ns}">
      <xsl:attribute name="type">JDBC_PING</xsl:attribute>
      <xsl:attribute name="data-source">KeycloakDS</xsl:attribute>
      <xsl:element name="property" namespace="{$ns}">
        <xsl:attribute name="name">initialize_sql</xsl:attribute>
        <xsl:value-of select="$init_sql"/>
      </xsl:element>
      <xsl:element name="property" namespace="{$ns}">
        <xsl:attribute name="name">insert_single_sql</xsl:attribute>
        <xsl:value-of select="$insert_sql"/>
      </xsl:element>
      <xsl:element name="property" namespace="{$ns}">
        <xsl:attribute name="name">select_all_pingdata_sql</xsl:attribute>
        <xsl:value-of select="$select_sql"/>
      </xsl:element>
      <xsl:element name="property" namespace="{$ns}">
        <xsl:attribute name="name">remove_all_data_on_view_change</xsl:attribute>false</xsl:element>
      <xsl:element name="property" namespace="{$ns}">
        <xsl:attribute name="name">remove_old_coords_on_view_change</xsl:attribute>true</xsl:element>
      <xsl:element name="property" namespace="{$ns}">
        <xsl:attribute name="name">update_store_on_view_change</xsl:attribute>true</xsl:element>
      <xsl:element name="property" namespace="{$ns}">
        <xsl:attribute name="name">info_writer_sleep_time</xsl:attribute>2000</xsl:element>
      <xsl:element name="property" namespace="{$ns}">
        <xsl:attribute name="name">info_writer_max_writes_after_view</xsl:attribute>2147483647</xsl:element>
    </xsl:element>
  </xsl:template>

  <!-- Owners of the session caches of the keycloak cache container. -->
  <xsl:template match="*[local-name()='cache-container'][@name='keycloak']/*[local-name()='distributed-cache']/@owners">
    <xsl:attribute name="owners">
      <xsl:choose>
        <xsl:when test="../@name='authenticationSessions'"><xsl:value-of select="$auth_owners"/></xsl:when>
        <xsl:otherwise><xsl:value-of select="$owners"/></xsl:otherwise>
      </xsl:choose>
    </xsl:attribute>
  </xsl:template>
</xsl:stylesheet>
